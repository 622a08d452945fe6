-- country_cluster_strength: per country, NUTS 2 x NACE-division cells with >= 2 and with 3 European Cluster Observatory stars (default thresholds) in a year, and the regions holding them
-- params: $year
SELECT country,
       count(*) FILTER (WHERE stars_observatory >= 2) AS cells_2plus,
       count(*) FILTER (WHERE stars_observatory = 3) AS cells_3,
       count(DISTINCT region_code) FILTER (WHERE stars_observatory >= 2) AS regions_2plus
FROM cluster_cells('division', 2.0, 10, 75, 25, only_year := $year)
GROUP BY country
ORDER BY country
