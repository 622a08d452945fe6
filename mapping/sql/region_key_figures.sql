-- region_key_figures: for one region, the latest value of each listed indicator with its rank among regions of the same level in that year: among all of them (rank, n), among those of the member states $eu (rank_eu, n_eu; NULL outside them) and in its country (1 = best)
-- params: $region, $indicators, $eu
WITH mine AS (
    SELECT indicator_id, max(year) AS year
    FROM indicators
    WHERE region_code = $region AND value IS NOT NULL AND list_contains($indicators, indicator_id)
    GROUP BY indicator_id
),
lvl AS (SELECT min(level) AS level FROM regions WHERE code = $region),
ranked AS (
    SELECT i.indicator_id, i.year, i.region_code, i.value, i.flag,
           rank() OVER (PARTITION BY i.indicator_id
                        ORDER BY CASE WHEN coalesce(c.higher_is_better, true) THEN -i.value ELSE i.value END) AS rank,
           count(*) OVER (PARTITION BY i.indicator_id) AS n,
           rank() OVER (PARTITION BY i.indicator_id, list_contains($eu, r.country)
                        ORDER BY CASE WHEN coalesce(c.higher_is_better, true) THEN -i.value ELSE i.value END) AS rank_in,
           count(*) OVER (PARTITION BY i.indicator_id, list_contains($eu, r.country)) AS n_in,
           list_contains($eu, r.country) AS in_eu,
           rank() OVER (PARTITION BY i.indicator_id, r.country
                        ORDER BY CASE WHEN coalesce(c.higher_is_better, true) THEN -i.value ELSE i.value END)
               AS rank_country,
           count(*) OVER (PARTITION BY i.indicator_id, r.country) AS n_country
    FROM indicators i
    JOIN mine m ON m.indicator_id = i.indicator_id AND m.year = i.year
    JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
    JOIN indicator_catalog c ON c.indicator_id = i.indicator_id
    WHERE r.level = (SELECT level FROM lvl) AND i.value IS NOT NULL
)
SELECT k.indicator_id, c.label, c.unit, k.year, k.value, k.flag, k.rank, k.n,
       CASE WHEN k.in_eu THEN k.rank_in END AS rank_eu, CASE WHEN k.in_eu THEN k.n_in END AS n_eu,
       k.rank_country, k.n_country, c.source_id, c.higher_is_better
FROM ranked k
JOIN indicator_catalog c ON c.indicator_id = k.indicator_id
WHERE k.region_code = $region
ORDER BY list_position($indicators, k.indicator_id)
