-- cluster_region_stars: the starred cells (stars >= 1 under the chosen method; CMP: strong clusters) of a year, one row per NUTS 2 region and sector, with region name, country, sector label, employment, LQ and which stars
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage
WITH c AS (
    SELECT *, CASE $method WHEN 'observatory' THEN stars_observatory
                           WHEN 'panorama' THEN stars_panorama
                           ELSE cmp_strong::INTEGER END AS stars
    FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage)
)
SELECT c.region_code AS code, c.nuts_version, r.name_latn AS name, c.country, c.nace, n.label, c.stars,
       c.persons, c.lq, c.star_size, c.star_spec, c.star_focus, c.star_prod, c.cmp_strong
FROM c
JOIN regions r ON r.code = c.region_code AND r.nuts_version = c.nuts_version
JOIN nace n ON n.code = c.nace
WHERE c.stars >= 1
ORDER BY c.country, c.region_code, c.stars DESC, c.lq DESC, c.nace
