-- scoreboard_structure: structural inputs for peers: manufacturing share of business-economy employment (SBS sections) per region and year
-- params: $year
SELECT region_code, nuts_version, 'structure.manufacturing_share' AS indicator_id, $year AS year,
       persons / nullif(e_r, 0) AS value
FROM cluster_cells('section', 2.0, 10, 75, 25, only_year := $year)
WHERE nace = 'C' AND persons IS NOT NULL
