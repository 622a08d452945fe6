-- cluster_trend: one region's employment in one sector of a set in every year: persons, LQ (NULL where the coverage rule leaves the region-year out), Eurostat flag, the table it comes from, and the break in series before the year if any (change of table or NUTS version, a b flag, or a jump of x3 or more in a cell of 500+ persons, as the portfolio's growth rule)
-- params: $sector_set, $region, $nace
WITH t AS (
    SELECT i.year, g.region_code, g.nuts_version, i.persons, l.lq, i.flag, i.source_id,
           lag(i.source_id) OVER w AS prev_source, lag(g.nuts_version) OVER w AS prev_version,
           lag(i.persons) OVER w AS prev_persons
    FROM cluster_input i
    JOIN cluster_region_ids g ON g.rid = i.rid
    JOIN cluster_sector_ids x ON x.nid = i.nid
    LEFT JOIN cluster_lq l ON l.sector_set = i.sector_set AND l.rid = i.rid AND l.nid = i.nid AND l.year = i.year
    WHERE i.sector_set = $sector_set AND g.region_code = $region AND x.nace = $nace
    WINDOW w AS (ORDER BY i.year)
)
SELECT year, region_code, nuts_version, persons, lq, flag, source_id,
       CASE WHEN prev_source IS NOT NULL AND prev_source <> source_id THEN 'change of table'
            WHEN prev_version IS NOT NULL AND prev_version <> nuts_version THEN 'change of NUTS version'
            WHEN coalesce(flag LIKE '%b%', false) THEN 'break flag (b)'
            WHEN greatest(persons, prev_persons) >= 500
                 AND (persons >= 3 * prev_persons OR prev_persons >= 3 * persons) THEN 'jump of x3 or more'
       END AS break_before
FROM t
ORDER BY year
