-- cluster_flips: cells of a year whose stars change between a base and an alternative set of thresholds (one method), with both star counts (a cell the coverage rule leaves out on one side has no stars there)
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage, $alt_spec_lq, $alt_top_pct, $alt_cmp_lq_pct, $alt_cmp_size_pct, $alt_min_coverage
WITH a AS (
    SELECT region_code, nuts_version, country, nace, persons, lq, size_pct, share_pct, lq_pct,
           CASE $method WHEN 'observatory' THEN stars_observatory
                        WHEN 'panorama' THEN stars_panorama
                        ELSE cmp_strong::INTEGER END AS stars
    FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage)
),
b AS (
    SELECT region_code, nuts_version, country, nace, persons, lq, size_pct, share_pct, lq_pct,
           CASE $method WHEN 'observatory' THEN stars_observatory
                        WHEN 'panorama' THEN stars_panorama
                        ELSE cmp_strong::INTEGER END AS stars
    FROM cluster_cells($sector_set, $alt_spec_lq, $alt_top_pct, $alt_cmp_lq_pct, $alt_cmp_size_pct, only_year := $year,
                       min_coverage := $alt_min_coverage)
),
both_sides AS (
    SELECT coalesce(a.region_code, b.region_code) AS region_code, coalesce(a.nuts_version, b.nuts_version) AS nuts_version,
           coalesce(a.country, b.country) AS country, coalesce(a.nace, b.nace) AS nace,
           coalesce(a.persons, b.persons) AS persons, coalesce(a.lq, b.lq) AS lq,
           coalesce(a.size_pct, b.size_pct) AS size_pct, coalesce(a.share_pct, b.share_pct) AS share_pct,
           coalesce(a.lq_pct, b.lq_pct) AS lq_pct,
           CASE WHEN a.nace IS NULL THEN 0 ELSE a.stars END AS stars_base,
           CASE WHEN b.nace IS NULL THEN 0 ELSE b.stars END AS stars_alt
    FROM a FULL JOIN b ON a.region_code = b.region_code AND a.nuts_version = b.nuts_version AND a.nace = b.nace
)
SELECT s.region_code AS code, r.name_latn AS name, s.country, s.nace, n.label, s.persons, s.lq, s.size_pct,
       s.share_pct, s.lq_pct, s.stars_base, s.stars_alt, s.stars_alt - s.stars_base AS change
FROM both_sides s
JOIN regions r ON r.code = s.region_code AND r.nuts_version = s.nuts_version
JOIN nace n ON n.code = s.nace
WHERE s.stars_base IS DISTINCT FROM s.stars_alt
ORDER BY change DESC, s.lq DESC
