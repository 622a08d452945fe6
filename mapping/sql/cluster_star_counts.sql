-- cluster_star_counts: for a year and method, the number of cells with 0, 1, 2 and 3 stars (CMP: 0 or 1) under one set of thresholds
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage
SELECT CASE $method WHEN 'observatory' THEN stars_observatory
                    WHEN 'panorama' THEN stars_panorama
                    ELSE cmp_strong::INTEGER END AS stars,
       count(*) AS cells
FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage)
GROUP BY ALL
ORDER BY stars
