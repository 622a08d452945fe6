-- cluster_portfolio: one region's sectors in a year: employment, LQ, stars of the chosen method and the employment growth (CAGR) since a base year
-- params: $sector_set, $region, $year, $base_year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct
WITH now AS (
    SELECT * FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year)
    WHERE region_code = $region
),
base AS (
    SELECT e.nace, e.persons AS persons_base
    FROM employment e
    WHERE e.region_code = $region AND e.year = $base_year AND e.source_id = (SELECT any_value(source_id) FROM now)
)
SELECT n.nace, x.label, n.year, n.persons, b.persons_base, n.flag, n.lq, n.share_r, n.size_pct, n.lq_pct,
       n.star_size, n.star_spec, n.star_focus, n.star_prod, n.stars_observatory, n.stars_panorama, n.cmp_strong,
       CASE $method WHEN 'observatory' THEN n.stars_observatory
                    WHEN 'panorama' THEN n.stars_panorama
                    ELSE n.cmp_strong::INTEGER END AS stars,
       CASE WHEN n.persons > 0 AND b.persons_base > 0 AND $year > $base_year
            THEN pow(n.persons / b.persons_base, 1.0 / ($year - $base_year)) - 1 END AS growth,
       n.coverage_r, n.known_r, n.confidential_r, n.n_sectors, n.e_r
FROM now n
JOIN nace x ON x.code = n.nace
LEFT JOIN base b ON b.nace = n.nace
ORDER BY n.lq DESC NULLS LAST
