-- cluster_regions: NUTS 2 regions (and units) with employment data in a sector set and year: name, employment total of the set, coverage, number of starred sectors (chosen method)
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage
SELECT c.region_code AS code, c.nuts_version, r.name_latn AS name, c.country, any_value(c.e_r) AS persons,
       any_value(c.coverage_r) AS coverage_r, any_value(c.confidential_r) AS confidential_r,
       count(*) FILTER (WHERE CASE $method WHEN 'observatory' THEN c.stars_observatory
                                           WHEN 'panorama' THEN c.stars_panorama
                                           ELSE c.cmp_strong::INTEGER END >= 1) AS starred_sectors
FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage) c
JOIN regions r ON r.code = c.region_code AND r.nuts_version = c.nuts_version
GROUP BY c.region_code, c.nuts_version, r.name_latn, c.country
ORDER BY c.region_code
