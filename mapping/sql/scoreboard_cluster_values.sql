-- scoreboard_cluster_values: cluster-strength indicators per region (Observatory stars, default thresholds): divisions with >= 2 stars and the employment share of divisions with >= 1 star (SBS, $sbs_year), manufacturing divisions with >= 2 stars ($manuf_year)
-- params: $sbs_year, $manuf_year
WITH sbs AS (
    SELECT region_code, nuts_version,
           count(*) FILTER (WHERE stars_observatory >= 2) AS starred,
           sum(persons) FILTER (WHERE stars_observatory >= 1) / nullif(sum(persons), 0) AS share
    FROM cluster_cells('division', 2.0, 10, 75, 25, only_year := $sbs_year)
    GROUP BY ALL
),
manuf AS (
    SELECT region_code, nuts_version, count(*) FILTER (WHERE stars_observatory >= 2) AS starred
    FROM cluster_cells('manufacturing', 2.0, 10, 75, 25, only_year := $manuf_year)
    GROUP BY ALL
)
SELECT region_code, nuts_version, 'cluster.starred_divisions' AS indicator_id, $sbs_year AS year,
       starred::DOUBLE AS value FROM sbs
UNION ALL
SELECT region_code, nuts_version, 'cluster.starred_employment_share', $sbs_year, share FROM sbs WHERE share IS NOT NULL
UNION ALL
SELECT region_code, nuts_version, 'cluster.manufacturing_starred', $manuf_year, starred::DOUBLE FROM manuf
