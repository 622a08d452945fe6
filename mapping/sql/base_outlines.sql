-- base_outlines: country outlines for the map base layer: NUTS 2021 level 0, plus the countries only in NUTS 2024
-- params: $scale
SELECT code, geojson
FROM region_geometry
WHERE level = 0 AND scale = $scale
  AND (nuts_version = '2021'
       OR (nuts_version = '2024' AND code NOT IN (SELECT code FROM regions WHERE level = 0 AND nuts_version = '2021')))
ORDER BY code
