-- placement_counts: rows loaded per source and NUTS placement (nuts, recode, split, group, unit, aggregate) plus rows left unplaced
-- params: none
SELECT source_id, placement, count(*) AS rows FROM employment GROUP BY ALL
UNION ALL
SELECT source_id, placement, count(*) FROM lfs_employment GROUP BY ALL
UNION ALL
SELECT source_id, placement, count(*) FROM indicators GROUP BY ALL
UNION ALL
SELECT source_id, 'unplaced', count(*) FROM unplaced GROUP BY ALL
ORDER BY source_id, placement
