-- cluster_years: years with employment data for a sector set, newest first, with the number of NUTS 2 regions
-- params: $sector_set
SELECT year, count(DISTINCT region_code) AS regions
FROM cluster_cells($sector_set, 2.0, 10, 75, 25)
WHERE persons IS NOT NULL
GROUP BY year
ORDER BY year DESC
