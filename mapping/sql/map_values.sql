-- map_values: one row per region that has a row for the indicator, year and NUTS level: value, flag, placement and rank (1 = best; largest first when direction is not meaningful)
-- params: $indicator, $year, $level
WITH dir AS (SELECT coalesce(any_value(higher_is_better), true) AS hib FROM indicator_catalog WHERE indicator_id = $indicator)
SELECT i.region_code AS code, i.nuts_version, i.region_code || '|' || i.nuts_version AS key,
       r.name_latn AS name, r.country, r.label_lon AS lon, r.label_lat AS lat,
       i.year, i.value, i.flag, i.placement, i.nuts_note, i.source_code, i.source_id,
       CASE WHEN i.value IS NOT NULL THEN
            rank() OVER (PARTITION BY i.value IS NULL
                         ORDER BY CASE WHEN (SELECT hib FROM dir) THEN -i.value ELSE i.value END) END AS rank,
       count(i.value) OVER () AS n
FROM indicators i
JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
WHERE i.indicator_id = $indicator AND i.year = $year AND r.level = $level
ORDER BY rank NULLS LAST, code
