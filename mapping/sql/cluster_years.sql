-- cluster_years: years with employment data for a sector set, newest first: NUTS 2 regions and cells (region x sector) with a value, the tables the cells come from, and whether local units are published
-- params: $sector_set
SELECT year, count(DISTINCT rid) FILTER (WHERE persons IS NOT NULL) AS regions,
       count(persons) AS cells,
       string_agg(DISTINCT source_id, ', ' ORDER BY source_id) AS source_ids,
       bool_or(local_units IS NOT NULL) AS has_units
FROM cluster_input
WHERE sector_set = $sector_set
GROUP BY year
ORDER BY year DESC
