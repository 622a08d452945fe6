-- map_nodata_latest: regions of a NUTS level and version with no value in any year for the indicator, leaving out regions covered by a drawn unit or an overlapping region of another version (the 'latest per region' map's grey)
-- params: $indicator, $level, $nuts_version
WITH drawn AS (
    SELECT DISTINCT i.region_code, i.nuts_version
    FROM indicators i
    JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
    WHERE i.indicator_id = $indicator AND r.level = $level AND i.value IS NOT NULL
),
covered AS (
    SELECT region_code AS code FROM drawn
    UNION
    SELECT u.member_code FROM region_units u JOIN drawn d ON d.region_code = u.unit_code AND d.nuts_version = u.unit_version
),
candidates AS (
    SELECT r.* FROM regions r
    WHERE r.level = $level AND r.nuts_version = $nuts_version AND NOT r.is_unit
      AND r.code NOT IN (SELECT code FROM covered)
)
SELECT c.code, c.nuts_version, c.code || '|' || c.nuts_version AS key, c.name_latn AS name, c.country,
       c.label_lon AS lon, c.label_lat AS lat
FROM candidates c
WHERE NOT EXISTS (
    SELECT 1 FROM drawn d
    JOIN region_geometry g ON g.code = d.region_code AND g.nuts_version = d.nuts_version AND g.scale = '60M'
    WHERE ST_Contains(g.geom, ST_Point(c.label_lon, c.label_lat))
)
ORDER BY c.code
