-- cluster_sweep: for each value of one threshold ($param over $values, the others at their base values), the cells of a year with at least 1, at least 2 and 3 stars under the chosen method (CMP: strong clusters, as 1 star); one query for the whole sweep (9 calls of cluster_star_counts cost 9 plannings of cluster_cells); not for min_coverage, which changes the cells themselves
-- params: $sector_set, $year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage, $param, $values
WITH c AS (
    SELECT size_pct, lq, share_pct, wage_pct, units_pct, cmp_strong IS NOT NULL AS has_units
    FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage)
),
v AS (
    SELECT value,
           CASE WHEN $param = 'spec_lq' THEN value ELSE $spec_lq END AS spec_lq,
           CASE WHEN $param = 'top_pct' THEN value ELSE $top_pct END AS top_pct,
           CASE WHEN $param = 'cmp_lq_pct' THEN value ELSE $cmp_lq_pct END AS cmp_lq_pct,
           CASE WHEN $param = 'cmp_size_pct' THEN value ELSE $cmp_size_pct END AS cmp_size_pct
    FROM (SELECT unnest($values::DOUBLE[]) AS value)
),
-- the rules of cluster_cells (mapping/ingest/macros.sql), with the moving threshold; tests hold the counts to
-- cluster_star_counts at every value
s AS (
    SELECT v.value,
           CASE $method
               WHEN 'observatory' THEN coalesce(c.size_pct >= 100 - v.top_pct, false)::INTEGER
                                       + coalesce(c.lq >= v.spec_lq, false)::INTEGER
                                       + coalesce(c.share_pct >= 100 - v.top_pct, false)::INTEGER
               WHEN 'panorama' THEN coalesce(c.size_pct >= 100 - v.top_pct, false)::INTEGER
                                    + coalesce(c.lq >= v.spec_lq, false)::INTEGER
                                    + coalesce(c.wage_pct >= 100 - v.top_pct, false)::INTEGER
               ELSE (c.has_units AND coalesce(c.share_pct >= v.cmp_lq_pct AND c.lq >= 1
                                              AND c.size_pct > v.cmp_size_pct AND c.units_pct > v.cmp_size_pct,
                                              false))::INTEGER
           END AS stars
    FROM c CROSS JOIN v
)
SELECT value, count(*) FILTER (WHERE stars >= 1) AS at_least_1, count(*) FILTER (WHERE stars >= 2) AS at_least_2,
       count(*) FILTER (WHERE stars = 3) AS three
FROM s
GROUP BY value
ORDER BY value
