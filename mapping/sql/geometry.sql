-- geometry: rounded GeoJSON of every region and derived unit of a NUTS level at a scale, keyed 'code|nuts_version'
-- params: $level, $scale
SELECT code || '|' || nuts_version AS key, geojson
FROM region_geometry
WHERE level = $level AND scale = $scale
