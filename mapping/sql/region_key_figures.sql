-- region_key_figures: for one region, each listed indicator in the latest year in which the region has a value and at least half as many regions of its level as in the indicator's best-covered year (else its latest year), with its rank among the regions of that level (statistical units of older tables left out): among all of them (rank, n), among those of the member states $eu (rank_eu, n_eu; NULL outside them) and in its country (1 = best)
-- params: $region, $indicators, $eu
WITH lvl AS (SELECT min(level) AS level FROM regions WHERE code = $region AND NOT is_unit),
vals AS (
    SELECT i.indicator_id, i.year, i.region_code, i.value, i.flag, r.country
    FROM indicators i
    JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
    WHERE list_contains($indicators, i.indicator_id) AND i.value IS NOT NULL AND NOT r.is_unit
      AND r.level = (SELECT level FROM lvl)
),
counts AS (SELECT indicator_id, year, count(*) AS cnt FROM vals GROUP BY ALL),
covered AS (
    SELECT c.indicator_id, c.year
    FROM counts c
    WHERE c.cnt >= 0.5 * (SELECT max(d.cnt) FROM counts d WHERE d.indicator_id = c.indicator_id)
),
mine AS (
    SELECT v.indicator_id, coalesce(max(v.year) FILTER (WHERE cv.year IS NOT NULL), max(v.year)) AS year
    FROM vals v
    LEFT JOIN covered cv ON cv.indicator_id = v.indicator_id AND cv.year = v.year
    WHERE v.region_code = $region
    GROUP BY v.indicator_id
),
ranked AS (
    SELECT v.indicator_id, v.year, v.region_code, v.value, v.flag,
           rank() OVER (PARTITION BY v.indicator_id
                        ORDER BY CASE WHEN coalesce(c.higher_is_better, true) THEN -v.value ELSE v.value END) AS rank,
           count(*) OVER (PARTITION BY v.indicator_id) AS n,
           rank() OVER (PARTITION BY v.indicator_id, list_contains($eu, v.country)
                        ORDER BY CASE WHEN coalesce(c.higher_is_better, true) THEN -v.value ELSE v.value END) AS rank_in,
           count(*) OVER (PARTITION BY v.indicator_id, list_contains($eu, v.country)) AS n_in,
           list_contains($eu, v.country) AS in_eu,
           rank() OVER (PARTITION BY v.indicator_id, v.country
                        ORDER BY CASE WHEN coalesce(c.higher_is_better, true) THEN -v.value ELSE v.value END)
               AS rank_country,
           count(*) OVER (PARTITION BY v.indicator_id, v.country) AS n_country
    FROM vals v
    JOIN mine m ON m.indicator_id = v.indicator_id AND m.year = v.year
    JOIN indicator_catalog c ON c.indicator_id = v.indicator_id
)
SELECT k.indicator_id, c.label, c.unit, k.year, k.value, k.flag, k.rank, k.n,
       CASE WHEN k.in_eu THEN k.rank_in END AS rank_eu, CASE WHEN k.in_eu THEN k.n_in END AS n_eu,
       k.rank_country, k.n_country, c.source_id, c.higher_is_better
FROM ranked k
JOIN indicator_catalog c ON c.indicator_id = k.indicator_id
WHERE k.region_code = $region
ORDER BY list_position($indicators, k.indicator_id)
