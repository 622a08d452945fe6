-- cluster_portfolio: one region's sectors in a year: employment, LQ, stars of the chosen method, and the employment growth (CAGR) since a base year unless a break in series lies between (a change of table or a Eurostat 'b' flag), which is named instead
-- params: $sector_set, $region, $year, $base_year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct
WITH now AS (
    SELECT * FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year)
    WHERE region_code = $region
),
base AS (
    SELECT nace, persons AS persons_base, source_id AS base_source
    FROM cluster_input
    WHERE sector_set = $sector_set AND region_code = $region AND year = $base_year
),
flagged AS (
    -- Eurostat's own break flags in the years after the base year, up to the year shown.
    SELECT nace, string_agg(DISTINCT year::VARCHAR, ', ' ORDER BY year::VARCHAR) AS b_years
    FROM cluster_input
    WHERE sector_set = $sector_set AND region_code = $region AND year > $base_year AND year <= $year
      AND contains(coalesce(flag, ''), 'b')
    GROUP BY nace
),
cells AS (
    SELECT n.*, b.persons_base, b.base_source,
           CASE WHEN $year <= $base_year THEN NULL
                WHEN b.base_source IS NOT NULL AND b.base_source <> n.source_id
                     THEN 'change of table: ' || b.base_source || ' (' || $base_year || ') -> ' || n.source_id
                          || ' (' || $year || ')'
                WHEN f.b_years IS NOT NULL THEN 'Eurostat break in series (flag b) in ' || f.b_years
           END AS series_break
    FROM now n
    LEFT JOIN base b ON b.nace = n.nace
    LEFT JOIN flagged f ON f.nace = n.nace
)
SELECT c.nace, x.label, c.year, c.persons, c.persons_base, c.flag, c.lq, c.share_r, c.size_pct, c.lq_pct,
       c.star_size, c.star_spec, c.star_focus, c.star_prod, c.stars_observatory, c.stars_panorama, c.cmp_strong,
       CASE $method WHEN 'observatory' THEN c.stars_observatory
                    WHEN 'panorama' THEN c.stars_panorama
                    ELSE c.cmp_strong::INTEGER END AS stars,
       CASE WHEN c.series_break IS NULL AND c.persons > 0 AND c.persons_base > 0 AND $year > $base_year
            THEN pow(c.persons / c.persons_base, 1.0 / ($year - $base_year)) - 1 END AS growth,
       c.series_break, c.source_id,
       c.coverage_r, c.known_r, c.confidential_r, c.n_sectors, c.e_r
FROM cells c
JOIN nace x ON x.code = c.nace
ORDER BY c.lq DESC NULLS LAST
