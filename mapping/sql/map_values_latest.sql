-- map_values_latest: one row per region of a NUTS level with its latest year that has a value for the indicator (rows of an older NUTS code dropped where a region with a newer value covers it): value, year, flag, placement and rank (1 = best)
-- params: $indicator, $level
WITH dir AS (SELECT coalesce(any_value(higher_is_better), true) AS hib FROM indicator_catalog WHERE indicator_id = $indicator),
latest AS (
    SELECT i.*, r.name_latn, r.country, r.label_lon, r.label_lat
    FROM indicators i
    JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
    WHERE i.indicator_id = $indicator AND r.level = $level AND i.value IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY i.region_code ORDER BY i.year DESC, i.nuts_version DESC) = 1
),
kept AS (
    SELECT a.* FROM latest a
    WHERE NOT EXISTS (
        SELECT 1 FROM latest b
        JOIN region_geometry g ON g.code = b.region_code AND g.nuts_version = b.nuts_version AND g.scale = '60M'
        WHERE b.region_code <> a.region_code AND (b.year, b.nuts_version) > (a.year, a.nuts_version)
          AND ST_Contains(g.geom, ST_Point(a.label_lon, a.label_lat))
    )
)
SELECT k.region_code AS code, k.nuts_version, k.region_code || '|' || k.nuts_version AS key,
       k.name_latn AS name, k.country, k.label_lon AS lon, k.label_lat AS lat,
       k.year, k.value, k.flag, k.placement, k.nuts_note, k.source_code, k.source_id,
       rank() OVER (ORDER BY CASE WHEN (SELECT hib FROM dir) THEN -k.value ELSE k.value END) AS rank,
       count(*) OVER () AS n
FROM kept k
ORDER BY rank, code
