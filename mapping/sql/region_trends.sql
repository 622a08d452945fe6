-- region_trends: indicators in every year with a value for a region (one row per indicator and year): the region's value, the median of its country's regions and of all regions at the same NUTS level (statistical units of older tables left out), and the country's and the EU's own values where the source publishes them
-- params: $indicators, $region
WITH me AS (
    SELECT code, level, country FROM regions WHERE code = $region ORDER BY nuts_version DESC LIMIT 1
),
vals AS (
    SELECT i.indicator_id, i.year, i.region_code, i.value, r.country, r.level
    FROM indicators i
    JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
    WHERE list_contains($indicators, i.indicator_id) AND i.value IS NOT NULL
      AND (NOT r.is_unit OR i.region_code = $region)  -- units of older tables are not in the medians
),
eu AS (
    SELECT indicator_id, year, max(value) AS eu_value FROM indicators
    WHERE list_contains($indicators, indicator_id) AND region_code = 'EU27_2020' AND value IS NOT NULL
    GROUP BY indicator_id, year
),
by_year AS (
    SELECT v.indicator_id, v.year,
           max(v.value) FILTER (WHERE v.region_code = $region) AS region_value,
           median(v.value) FILTER (WHERE v.country = (SELECT country FROM me) AND v.level = (SELECT level FROM me))
               AS country_median,
           count(*) FILTER (WHERE v.country = (SELECT country FROM me) AND v.level = (SELECT level FROM me))
               AS country_regions,
           median(v.value) FILTER (WHERE v.level = (SELECT level FROM me)) AS all_median,
           count(*) FILTER (WHERE v.level = (SELECT level FROM me)) AS all_regions,
           max(v.value) FILTER (WHERE v.region_code = (SELECT country FROM me)) AS country_value
    FROM vals v
    GROUP BY v.indicator_id, v.year
)
SELECT b.*, e.eu_value
FROM by_year b LEFT JOIN eu e ON e.indicator_id = b.indicator_id AND e.year = b.year
WHERE b.region_value IS NOT NULL
ORDER BY list_position($indicators, b.indicator_id), b.year
