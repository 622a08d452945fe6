-- cluster_group_view: cluster_sector_view for the user's sector group (nace 'GROUP', members $members weighted by $weights) or one of its sectors: employment, LQ, percentile ranks, coverage and the stars of the chosen method (stars = method stars 0-3, or 1 for a CMP strong cluster)
-- params: $sector_set, $nace, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage, $members, $weights
SELECT c.region_code AS code, c.nuts_version, c.region_code || '|' || c.nuts_version AS key, r.name_latn AS name,
       c.country, r.label_lon AS lon, r.label_lat AS lat, c.year, c.persons, c.local_units, c.wages_meur, c.flag,
       c.share_r, c.lq, c.wage_per_person, c.size_pct, c.share_pct, c.lq_pct, c.units_pct, c.wage_pct,
       c.star_size, c.star_spec, c.star_focus, c.star_prod, c.stars_observatory, c.stars_panorama, c.cmp_strong,
       CASE $method WHEN 'observatory' THEN c.stars_observatory
                    WHEN 'panorama' THEN c.stars_panorama
                    ELSE c.cmp_strong::INTEGER END AS stars,
       c.coverage_r, c.known_r, c.n_sectors, c.n_active, c.source_id, e.placement, e.nuts_note
FROM cluster_group_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $members, $weights,
                         only_year := $year, min_coverage := $min_coverage) c
JOIN regions r ON r.code = c.region_code AND r.nuts_version = c.nuts_version
-- (employment filtered first: joined whole, it cost 40 ms of the view's 60)
LEFT JOIN (SELECT * FROM employment WHERE nace = $nace AND year = $year) e
       ON e.region_code = c.region_code AND e.nuts_version = c.nuts_version AND e.nace = c.nace
      AND e.year = c.year AND e.source_id = c.source_id
WHERE c.nace = $nace
ORDER BY c.lq DESC NULLS LAST, c.region_code
