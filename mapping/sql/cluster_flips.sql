-- cluster_flips: cells of a year whose stars change between a base and an alternative set of thresholds (one method), with both star counts
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $alt_spec_lq, $alt_top_pct, $alt_cmp_lq_pct, $alt_cmp_size_pct
WITH a AS (
    SELECT region_code, nuts_version, country, nace, persons, lq, size_pct, share_pct, lq_pct,
           CASE $method WHEN 'observatory' THEN stars_observatory
                        WHEN 'panorama' THEN stars_panorama
                        ELSE cmp_strong::INTEGER END AS stars
    FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year)
),
b AS (
    SELECT region_code, nuts_version, nace,
           CASE $method WHEN 'observatory' THEN stars_observatory
                        WHEN 'panorama' THEN stars_panorama
                        ELSE cmp_strong::INTEGER END AS stars
    FROM cluster_cells($sector_set, $alt_spec_lq, $alt_top_pct, $alt_cmp_lq_pct, $alt_cmp_size_pct, only_year := $year)
)
SELECT a.region_code AS code, r.name_latn AS name, a.country, a.nace, n.label, a.persons, a.lq, a.size_pct,
       a.share_pct, a.lq_pct, a.stars AS stars_base, b.stars AS stars_alt, b.stars - a.stars AS change
FROM a
JOIN b USING (region_code, nuts_version, nace)
JOIN regions r ON r.code = a.region_code AND r.nuts_version = a.nuts_version
JOIN nace n ON n.code = a.nace
WHERE a.stars IS DISTINCT FROM b.stars
ORDER BY change DESC, a.lq DESC
