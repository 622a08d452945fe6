-- cluster_portfolio: one region's sectors in a year: employment, LQ, stars of the chosen method, and the employment growth (CAGR) since a base year only where the two years are comparable; growth_status says 'growth', 'break' (series_break names why: a change of table or of source territorial unit, a Eurostat 'b' flag, 'd' at one end only, or a jump of x3 or more in one step for cells of 500+ persons) or 'unknown' (growth_note says why)
-- params: $sector_set, $region, $year, $base_year, $method, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, $min_coverage
WITH now AS (
    SELECT * FROM cluster_cells($sector_set, $spec_lq, $top_pct, $cmp_lq_pct, $cmp_size_pct, only_year := $year,
                       min_coverage := $min_coverage)
    WHERE region_code = $region
),
span AS (
    -- Every published year of each sector from the base year to the year shown, with the territorial unit the
    -- source published it under (employment.source_code: an older NUTS code recoded onto NUTS 2021).
    SELECT x.nace, i.year, i.persons, coalesce(i.flag, '') AS flag, i.source_id, e.source_code
    FROM cluster_input i
    JOIN cluster_region_ids g ON g.rid = i.rid
    JOIN cluster_sector_ids x ON x.nid = i.nid
    LEFT JOIN (SELECT * FROM employment WHERE region_code = $region AND year BETWEEN $base_year AND $year) e
      ON e.region_code = g.region_code AND e.nuts_version = g.nuts_version AND e.nace = x.nace AND e.year = i.year
     AND e.source_id = i.source_id
    WHERE i.sector_set = $sector_set AND g.region_code = $region AND i.year BETWEEN $base_year AND $year
),
steps AS (
    SELECT *, lag(year) OVER w AS prev_year, lag(persons) OVER w AS prev_persons,
           lag(source_id) OVER w AS prev_source, lag(source_code) OVER w AS prev_code
    FROM span
    WINDOW w AS (PARTITION BY nace ORDER BY year)
),
reasons AS (
    SELECT nace,
           min(prev_source || ' (' || prev_year || ') -> ' || source_id || ' (' || year || ')')
               FILTER (WHERE prev_source <> source_id) AS table_change,
           min(prev_code || ' (' || prev_year || ') -> ' || source_code || ' (' || year || ')')
               FILTER (WHERE prev_code <> source_code) AS unit_change,
           string_agg(DISTINCT year::VARCHAR, ', ' ORDER BY year::VARCHAR)
               FILTER (WHERE year > $base_year AND contains(flag, 'b')) AS b_years,
           -- a 'd' flag (definition differs) on one end of the span but not the other
           count(*) FILTER (WHERE year IN ($base_year, $year)) = 2
               AND count(*) FILTER (WHERE year IN ($base_year, $year) AND contains(flag, 'd')) = 1 AS d_one_end,
           -- the largest one-step jump of a sizeable cell: ten times more persons in a year is a change of
           -- coverage or classification (DE11 F43 2008 -> 2009: 5,627 -> 57,877), not growth
           arg_max(
               'x' || round(greatest(persons / prev_persons, prev_persons / persons), 1) || ' from ' || prev_year
                   || ' to ' || year || ' (' || round(prev_persons)::BIGINT || ' -> ' || round(persons)::BIGINT || ')',
               greatest(persons / prev_persons, prev_persons / persons)
           ) FILTER (WHERE persons > 0 AND prev_persons > 0 AND greatest(persons, prev_persons) >= 500
                       AND greatest(persons / prev_persons, prev_persons / persons) >= 3) AS jump
    FROM steps
    GROUP BY nace
),
base AS (
    SELECT nace, persons AS persons_base, flag AS flag_base FROM span WHERE year = $base_year
),
cells AS (
    SELECT n.*, b.persons_base, b.flag_base,
           -- why there is no growth figure at all (missing values come first: a break needs two values)
           CASE WHEN $year <= $base_year THEN 'no earlier year chosen'
                WHEN b.persons_base IS NULL AND contains(coalesce(b.flag_base, ''), 'c')
                     THEN 'confidential in ' || $base_year
                WHEN b.persons_base IS NULL THEN 'no value in ' || $base_year
                WHEN n.persons IS NULL AND contains(coalesce(n.flag, ''), 'c') THEN 'confidential in ' || $year
                WHEN n.persons IS NULL THEN 'no value in ' || $year
                WHEN b.persons_base <= 0 OR n.persons <= 0 THEN 'no employment in ' || $base_year || ' or ' || $year
           END AS growth_note,
           nullif(concat_ws('; ',
               'change of table: ' || r.table_change,
               'change of territorial unit: ' || r.unit_change,
               'Eurostat break in series (flag b) in ' || r.b_years,
               CASE WHEN r.d_one_end THEN 'definition differs (flag d) in only one of ' || $base_year || ' and '
                                          || $year END,
               'implausible jump ' || r.jump
           ), '') AS break_reason
    FROM now n
    LEFT JOIN reasons r ON r.nace = n.nace
    LEFT JOIN base b ON b.nace = n.nace
),
judged AS (
    SELECT * EXCLUDE (break_reason), CASE WHEN growth_note IS NULL THEN break_reason END AS series_break FROM cells
)
SELECT c.nace, x.label, c.year, c.persons, c.persons_base, c.flag, c.lq, c.share_r, c.size_pct, c.lq_pct,
       c.star_size, c.star_spec, c.star_focus, c.star_prod, c.stars_observatory, c.stars_panorama, c.cmp_strong,
       CASE $method WHEN 'observatory' THEN c.stars_observatory
                    WHEN 'panorama' THEN c.stars_panorama
                    ELSE c.cmp_strong::INTEGER END AS stars,
       CASE WHEN c.series_break IS NULL AND c.growth_note IS NULL
            THEN pow(c.persons / c.persons_base, 1.0 / ($year - $base_year)) - 1 END AS growth,
       CASE WHEN c.series_break IS NOT NULL THEN 'break'
            WHEN c.growth_note IS NOT NULL THEN 'unknown'
            ELSE 'growth' END AS growth_status,
       c.series_break, c.growth_note, c.source_id,
       c.coverage_r, c.known_r, c.confidential_r, c.n_sectors, c.e_r
FROM judged c
JOIN nace x ON x.code = c.nace
ORDER BY c.lq DESC NULLS LAST
