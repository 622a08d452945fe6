-- related_proximity: proximity of every ordered pair of sectors of a sector set in a year (co-location of specialisations, see the sector_proximity macro), with NACE labels
-- params: $sector_set, $year
SELECT p.sector_a, a.label AS label_a, p.sector_b, b.label AS label_b, p.proximity, p.regions_a, p.regions_b,
       p.regions_both
FROM sector_proximity($sector_set, $year) p
JOIN nace a ON a.code = p.sector_a
JOIN nace b ON b.code = p.sector_b
ORDER BY p.sector_a, p.sector_b
