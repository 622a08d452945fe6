-- indicator_trend: an indicator in every year with a value for a region: the region's value, the median of its country's regions and of all regions at the same NUTS level (statistical units of older tables left out), and the country's and the EU's own values where the source publishes them
-- params: $indicator, $region
WITH me AS (
    SELECT code, level, country FROM regions WHERE code = $region ORDER BY nuts_version DESC LIMIT 1
),
vals AS (
    SELECT i.year, i.region_code, i.value, r.country, r.level
    FROM indicators i
    JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
    WHERE i.indicator_id = $indicator AND i.value IS NOT NULL
      AND (NOT r.is_unit OR i.region_code = $region)  -- units of older tables are not in the medians
),
eu AS (
    SELECT year, max(value) AS eu_value FROM indicators
    WHERE indicator_id = $indicator AND region_code = 'EU27_2020' AND value IS NOT NULL
    GROUP BY year
),
by_year AS (
    SELECT v.year,
           max(v.value) FILTER (WHERE v.region_code = $region) AS region_value,
           median(v.value) FILTER (WHERE v.country = (SELECT country FROM me) AND v.level = (SELECT level FROM me))
               AS country_median,
           count(*) FILTER (WHERE v.country = (SELECT country FROM me) AND v.level = (SELECT level FROM me))
               AS country_regions,
           median(v.value) FILTER (WHERE v.level = (SELECT level FROM me)) AS all_median,
           count(*) FILTER (WHERE v.level = (SELECT level FROM me)) AS all_regions,
           max(v.value) FILTER (WHERE v.region_code = (SELECT country FROM me)) AS country_value
    FROM vals v
    GROUP BY v.year
)
SELECT b.*, e.eu_value
FROM by_year b LEFT JOIN eu e ON e.year = b.year
WHERE b.region_value IS NOT NULL
ORDER BY b.year
