-- cluster_excluded: the region-years of a sector set left out of the cluster methods by the coverage rule (too few sectors with a published value), with the reason
-- params: $sector_set, $year, $min_coverage
SELECT e.region_code AS code, r.name_latn AS name, e.country, e.year, e.known_r, e.n_sectors, e.coverage_r,
       e.persons_known, e.reason
FROM cluster_excluded($sector_set, $min_coverage, only_year := $year) e
LEFT JOIN regions r ON r.code = e.region_code AND r.nuts_version = e.nuts_version
ORDER BY e.region_code
