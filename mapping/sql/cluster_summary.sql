-- cluster_summary: starred cells per country and sector for a year and method: cells with 1, 2 and 3 stars (CMP: strong clusters counted as 1)
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage
WITH s AS (
    SELECT country, nace,
           CASE $method WHEN 'observatory' THEN stars_observatory
                        WHEN 'panorama' THEN stars_panorama
                        ELSE cmp_strong::INTEGER END AS stars
    FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage)
)
SELECT s.country, s.nace, n.label,
       count(*) FILTER (WHERE stars = 1) AS one_star,
       count(*) FILTER (WHERE stars = 2) AS two_stars,
       count(*) FILTER (WHERE stars = 3) AS three_stars,
       count(*) FILTER (WHERE stars >= 1) AS starred,
       count(*) AS cells
FROM s JOIN nace n ON n.code = s.nace
GROUP BY s.country, s.nace, n.label
ORDER BY s.country, s.nace
