-- cluster_sectors: the sectors of a sector set with their NACE labels and the number of regions with a known value
-- params: $sector_set, $year
SELECT c.nace, n.label, count(c.persons) AS regions_known, count(*) AS regions, sum(c.persons) AS persons
FROM cluster_cells($sector_set, 2.0, 10, 75, 25, only_year := $year) c
JOIN nace n ON n.code = c.nace
GROUP BY c.nace, n.label
ORDER BY c.nace
