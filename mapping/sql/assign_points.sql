-- assign_points: for uploaded points (parallel lists of longitudes and latitudes), the NUTS 2021 region of the given level that contains each point (NULL outside every region)
-- params: $lons, $lats, $level
WITH pts AS (
    SELECT unnest(range(1, len($lons) + 1)) AS i, unnest($lons) AS lon, unnest($lats) AS lat
),
hits AS (
    SELECT p.i, g.code
    FROM pts p
    JOIN region_geometry g
      ON g.level = $level AND g.nuts_version = '2021' AND g.scale = '20M'
     AND ST_Contains(g.geom, ST_Point(p.lon, p.lat))
    QUALIFY row_number() OVER (PARTITION BY p.i ORDER BY g.code) = 1
)
SELECT p.i, p.lon, p.lat, h.code, r.name_latn AS name
FROM pts p
LEFT JOIN hits h ON h.i = p.i
LEFT JOIN regions r ON r.code = h.code AND r.nuts_version = '2021'
ORDER BY p.i
