-- scoreboard_universe: the NUTS 2 regions (NUTS 2021) of the listed countries with name, country, NUTS 1 parent, area (km2, from the 1:20M outline in ETRS89-LAEA) and how many NUTS 2 regions the country has
-- params: $countries
SELECT r.code, r.name_latn AS name, r.country, r.parent, r.label_lon AS lon, r.label_lat AS lat,
       ST_Area(ST_Transform(g.geom, 'EPSG:4326', 'EPSG:3035', always_xy := true)) / 1e6 AS area_km2,
       count(*) OVER (PARTITION BY r.country) AS regions_in_country
FROM regions r
LEFT JOIN region_geometry g ON g.code = r.code AND g.nuts_version = r.nuts_version AND g.scale = '20M'
WHERE r.nuts_version = '2021' AND r.level = 2 AND NOT r.is_unit AND list_contains($countries, r.country)
ORDER BY r.code
