-- macros: derived tables and table macros created by the build after cluster_input.sql and cluster_ranks.py, so
-- query files share one definition of each method.

-- cluster_totals: per sector set, level of the coverage rule, year and sector, the sums over the cells the rule
-- keeps at that level: e_s (employment of the sector), e_all (of the set), known_s (cells with a value), n_active
-- (cells with employment > 0), n_units / n_wage (of those, with local units / wages). Grouped by the region-years'
-- coverage first, so each level is a sum over a few hundred rows, not a pass over the cells.
CREATE OR REPLACE TABLE cluster_totals AS
WITH by_coverage AS (
    SELECT sector_set, year, nid, coverage_in, sum(persons) AS e_s, count(persons) AS known_s,
           count(*) FILTER (WHERE persons > 0) AS n_active,
           count(*) FILTER (WHERE persons > 0 AND local_units IS NOT NULL) AS n_units,
           count(*) FILTER (WHERE persons > 0 AND wages_meur IS NOT NULL) AS n_wage
    FROM cluster_input GROUP BY ALL
),
by_level AS (
    SELECT l.pos, b.sector_set, b.year, b.nid, sum(b.e_s) AS e_s, sum(b.known_s) AS known_s,
           sum(b.n_active) AS n_active, sum(b.n_units) AS n_units, sum(b.n_wage) AS n_wage
    FROM by_coverage b JOIN cluster_coverage_levels l ON b.coverage_in >= l.level
    GROUP BY ALL
)
SELECT *, sum(e_s) OVER (PARTITION BY pos, sector_set, year) AS e_all
FROM by_level
ORDER BY pos, sector_set, year, nid;

-- cluster_kept(sector_set, only_year, min_coverage): the cells the coverage rule keeps, with everything cluster_cells
-- and cluster_group_cells compare (measures, E_s, E and the percentile ranks at that level); no thresholds.
CREATE OR REPLACE MACRO cluster_kept(sector_set, only_year, min_coverage) AS TABLE
WITH totals AS (
    -- the levels of cluster_coverage_levels (a test holds the two lists equal): a join, not a lookup subquery,
    -- which cost 3 ms of planning on every call; the CASE turns another level into an error message
    SELECT t.* FROM cluster_totals t
    JOIN cluster_coverage_levels v ON v.pos = t.pos
     AND v.level = CASE WHEN min_coverage IN (0, 0.25, 0.5, 0.75) THEN min_coverage
                        ELSE error('cluster_cells: min_coverage must be one of the precomputed levels 0, 0.25, 0.5, 0.75, not '
                                   || min_coverage) END
    WHERE t.sector_set = sector_set AND (only_year IS NULL OR t.year = only_year)
)
SELECT i.rid, i.nid, i.year, i.persons, i.local_units, i.wages_meur, i.flag, i.source_id, i.e_r, i.known_r,
       i.confidential_r, i.n_sectors_in AS n_sectors, i.coverage_in AS coverage_r, i.share_r, i.wage_per_person,
       t.e_s, t.e_all, t.known_s, t.n_active, t.n_units,
       i.size_pct[t.pos] AS size_pct, i.share_pct[t.pos] AS share_pct, i.units_pct[t.pos] AS units_pct,
       i.wage_pct[t.pos] AS wage_pct
FROM cluster_input i
JOIN totals t ON t.year = i.year AND t.nid = i.nid
WHERE i.sector_set = sector_set AND (only_year IS NULL OR i.year = only_year) AND i.coverage_in >= min_coverage;

-- cluster_cells(sector_set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct[, only_year][, min_coverage]): one row per NUTS 2 region x sector x year of a sector set with employment, the location quotient
-- and its denominators, coverage, percentile ranks and the stars of each method.
--   Everything but the stars is computed by the build (cluster_input, cluster_totals): here the thresholds are only
--   compared, so a page pays for a filtered read of one year.
--   Coverage rule: a region-year whose known sector cells are fewer than min_coverage (default 0.5; one of the levels
--   in cluster_coverage_levels: 0, 0.25, 0.5, 0.75) of the set's sectors is left out before anything is computed (no
--   LQ, no rank, no star, not in E_s and E): its few known cells are fragments (e.g. UKD7 in 2010 publishes
--   construction only, under its new code, while its other divisions stay under the old UKD2+UKD5 group; its LQs of
--   9-12 are artefacts). cluster_excluded lists them.
--   LQ = (E_rs / E_r) / (E_s / E); E_r, E_s and E are sums over the cells of the same set and year that have a
--   known value (confidential cells are unknown, not zero); coverage_r = known sector cells / sectors in the set.
--   Percentile rank = round(100 / n * (rank - 0.5)), rank ascending with ties sharing the lowest rank, among the
--   n regions with employment > 0 in that sector and year (local units and wages: among those that publish them).
--   Observatory: size (employment pct >= 100 - top_pct), specialisation (LQ >= spec_lq), focus (share pct >= 100 - top_pct).
--   Panorama-style: size, specialisation, productivity (wages per person employed pct >= 100 - top_pct).
--   U.S. CMP strong cluster: LQ pct >= cmp_lq_pct and LQ >= 1 and employment pct > cmp_size_pct and local units
--   pct > cmp_size_pct; NULL where the cells publish no local units (the 2022 manufacturing extract).
CREATE OR REPLACE MACRO cluster_cells(sector_set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct, only_year := NULL,
                                      min_coverage := 0.5) AS TABLE
WITH p AS (
    SELECT *, share_r / nullif(e_s / nullif(e_all, 0), 0) AS lq, share_pct AS lq_pct
    FROM cluster_kept(sector_set, only_year, min_coverage)
)
SELECT g.region_code, g.nuts_version, g.country, x.nace, p.year, p.persons, p.local_units,
       p.wages_meur, p.flag, p.source_id, p.e_r, p.e_s, p.e_all, p.known_r, p.confidential_r, p.n_sectors,
       p.coverage_r, p.known_s, p.n_active, p.share_r, p.lq, p.wage_per_person, p.size_pct, p.share_pct, p.lq_pct,
       p.units_pct, p.wage_pct,
       coalesce(p.size_pct >= 100 - top_pct, false) AS star_size,
       coalesce(p.lq >= spec_lq, false) AS star_spec,
       coalesce(p.share_pct >= 100 - top_pct, false) AS star_focus,
       coalesce(p.wage_pct >= 100 - top_pct, false) AS star_prod,
       coalesce(p.size_pct >= 100 - top_pct, false)::INTEGER + coalesce(p.lq >= spec_lq, false)::INTEGER
           + coalesce(p.share_pct >= 100 - top_pct, false)::INTEGER AS stars_observatory,
       coalesce(p.size_pct >= 100 - top_pct, false)::INTEGER + coalesce(p.lq >= spec_lq, false)::INTEGER
           + coalesce(p.wage_pct >= 100 - top_pct, false)::INTEGER AS stars_panorama,
       CASE WHEN p.n_units > 0 THEN
            coalesce(p.lq_pct >= cmp_lq_pct AND p.lq >= 1 AND p.size_pct > cmp_size_pct
                     AND p.units_pct > cmp_size_pct, false)
       END AS cmp_strong
FROM p
JOIN cluster_region_ids g ON g.rid = p.rid
JOIN cluster_sector_ids x ON x.nid = p.nid;

-- cluster_group_cells(sector_set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct, group_members, group_weights[,
-- only_year][, min_coverage]): cluster_cells plus one more sector, nace 'GROUP', the user's own sector group: its cell
-- is the weighted sum of its members' cells (unknown when any member's is); it has its own E_s and ranks (computed
-- here: one small sector) but is never counted in E_r or E, which stay the sums over the real sectors. A macro of its
-- own because planning the group's windows costs 20 ms even for an empty group: cluster_cells does not pay it. The
-- star rules are written out in both macros (a struct-returning macro for them cost 6 ms of planning per call); a
-- test holds the two to the same stars on every cell.
CREATE OR REPLACE MACRO cluster_group_cells(sector_set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct, group_members,
                                            group_weights, only_year := NULL, min_coverage := 0.5) AS TABLE
WITH kept AS (
    SELECT * FROM cluster_kept(sector_set, only_year, min_coverage)
),
members AS (
    SELECT x.nid, m.weight
    FROM (SELECT unnest(coalesce(group_members, []::VARCHAR[])) AS nace,
                 unnest(coalesce(group_weights, []::DOUBLE[])) AS weight) m
    JOIN cluster_sector_ids x ON x.nace = m.nace
),
grp AS (
    SELECT b.rid, b.year,
           CASE WHEN count(b.persons) = count(*) THEN sum(b.persons * m.weight) END AS persons,
           CASE WHEN count(b.local_units) = count(*) THEN sum(b.local_units * m.weight) END AS local_units,
           CASE WHEN count(b.wages_meur) = count(*) THEN sum(b.wages_meur * m.weight) END AS wages_meur,
           CASE WHEN bool_or(b.flag LIKE '%c%') THEN 'c' END AS flag, min(b.source_id) AS source_id,
           any_value(b.e_r) AS e_r, any_value(b.known_r) AS known_r, any_value(b.confidential_r) AS confidential_r,
           any_value(b.n_sectors) AS n_sectors, any_value(b.coverage_r) AS coverage_r, any_value(b.e_all) AS e_all
    -- a second call, not the CTE kept: a CTE read twice is materialised (20 ms more per call)
    FROM cluster_kept(sector_set, only_year, min_coverage) b
    JOIN members m ON m.nid = b.nid
    GROUP BY b.rid, b.year
    HAVING count(*) = (SELECT count(*) FROM members)
),
grp_measures AS (
    SELECT *, persons / nullif(e_r, 0) AS share_r, wages_meur * 1e6 / nullif(persons, 0) AS wage_per_person,
           sum(persons) OVER y AS e_s, count(persons) OVER y AS known_s,
           count(*) FILTER (WHERE persons > 0) OVER y AS n_active,
           count(*) FILTER (WHERE persons > 0 AND local_units IS NOT NULL) OVER y AS n_units,
           count(*) FILTER (WHERE persons > 0 AND wages_meur IS NOT NULL) OVER y AS n_wage
    FROM grp WINDOW y AS (PARTITION BY year)
),
grp_ranks AS (
    SELECT rid, year,
           rank() OVER (w ORDER BY persons) AS rank_size,
           rank() OVER (w ORDER BY share_r) AS rank_share,
           CASE WHEN local_units IS NOT NULL THEN rank() OVER (w ORDER BY local_units NULLS LAST) END AS rank_units,
           CASE WHEN wage_per_person IS NOT NULL THEN rank() OVER (w ORDER BY wage_per_person NULLS LAST) END AS rank_wage
    FROM grp_measures
    WHERE persons > 0
    WINDOW w AS (PARTITION BY year)
),
cells AS (
    SELECT * FROM kept
    UNION ALL BY NAME
    SELECT g.rid, 0 AS nid, g.year, g.persons, g.local_units, g.wages_meur, g.flag, g.source_id, g.e_r, g.known_r,
           g.confidential_r, g.n_sectors, g.coverage_r, g.share_r, g.wage_per_person, g.e_s, g.e_all, g.known_s,
           g.n_active, g.n_units,
           round(100.0 / g.n_active * (k.rank_size - 0.5)) AS size_pct,
           round(100.0 / g.n_active * (k.rank_share - 0.5)) AS share_pct,
           round(100.0 / nullif(g.n_units, 0) * (k.rank_units - 0.5)) AS units_pct,
           round(100.0 / nullif(g.n_wage, 0) * (k.rank_wage - 0.5)) AS wage_pct
    FROM grp_measures g LEFT JOIN grp_ranks k USING (rid, year)
),
p AS (
    SELECT *, share_r / nullif(e_s / nullif(e_all, 0), 0) AS lq, share_pct AS lq_pct FROM cells
)
SELECT g.region_code, g.nuts_version, g.country, coalesce(x.nace, 'GROUP') AS nace, p.year, p.persons, p.local_units,
       p.wages_meur, p.flag, p.source_id, p.e_r, p.e_s, p.e_all, p.known_r, p.confidential_r, p.n_sectors,
       p.coverage_r, p.known_s, p.n_active, p.share_r, p.lq, p.wage_per_person, p.size_pct, p.share_pct, p.lq_pct,
       p.units_pct, p.wage_pct,
       coalesce(p.size_pct >= 100 - top_pct, false) AS star_size,
       coalesce(p.lq >= spec_lq, false) AS star_spec,
       coalesce(p.share_pct >= 100 - top_pct, false) AS star_focus,
       coalesce(p.wage_pct >= 100 - top_pct, false) AS star_prod,
       coalesce(p.size_pct >= 100 - top_pct, false)::INTEGER + coalesce(p.lq >= spec_lq, false)::INTEGER
           + coalesce(p.share_pct >= 100 - top_pct, false)::INTEGER AS stars_observatory,
       coalesce(p.size_pct >= 100 - top_pct, false)::INTEGER + coalesce(p.lq >= spec_lq, false)::INTEGER
           + coalesce(p.wage_pct >= 100 - top_pct, false)::INTEGER AS stars_panorama,
       CASE WHEN p.n_units > 0 THEN
            coalesce(p.lq_pct >= cmp_lq_pct AND p.lq >= 1 AND p.size_pct > cmp_size_pct
                     AND p.units_pct > cmp_size_pct, false)
       END AS cmp_strong
FROM p
JOIN cluster_region_ids g ON g.rid = p.rid
LEFT JOIN cluster_sector_ids x ON x.nid = p.nid;

-- cluster_excluded(sector_set, min_coverage[, only_year]): the region-years the coverage rule of cluster_cells leaves
-- out: known sector cells, sectors in the set, coverage, persons in the known cells, and the reason in words.
CREATE OR REPLACE MACRO cluster_excluded(sector_set, min_coverage, only_year := NULL) AS TABLE
SELECT g.region_code, g.nuts_version, g.country, c.year, count(c.persons) AS known_r,
       any_value(c.n_sectors_in) AS n_sectors, any_value(c.coverage_in) AS coverage_r,
       coalesce(sum(c.persons), 0) AS persons_known,
       format('{} of {} sectors with a published value ({:.0f}%), below the coverage rule ({:.0f}%)',
              count(c.persons), any_value(c.n_sectors_in), 100 * any_value(c.coverage_in),
              100 * min_coverage) AS reason
FROM cluster_input c
JOIN cluster_region_ids g ON g.rid = c.rid
WHERE c.sector_set = sector_set AND (only_year IS NULL OR c.year = only_year) AND c.coverage_in < min_coverage
GROUP BY g.region_code, g.nuts_version, g.country, c.year;

COMMENT ON TABLE cluster_input IS 'The employment cells the cluster methods use (NUTS 2 regions and units x sector x year), by sector set, with integer ids, their threshold-free measures and their percentile ranks at every level of the coverage rule (arrays; element pos of cluster_coverage_levels).';
COMMENT ON TABLE cluster_totals IS 'Sums over the kept cells per sector set, level of the coverage rule (pos), year and sector: E_s, E, counts.';
COMMENT ON TABLE cluster_coverage_levels IS 'The levels of the coverage rule the build precomputes (level, pos in the rank arrays of cluster_input).';
COMMENT ON TABLE cluster_region_ids IS 'Integer ids of the NUTS 2 regions (cluster_input.rid).';
COMMENT ON TABLE cluster_sector_ids IS 'Integer ids of the NACE divisions and sections (cluster_input.nid).';

-- cluster_lq: the location quotient of every cell of every sector set and year, as cluster_cells gives it under its
-- default coverage rule (0.5; the thresholds do not change it), on the integer ids of cluster_input. Read by the
-- relatedness macros below, which group and join on the ids (2x faster than on the codes).
CREATE OR REPLACE TABLE cluster_lq AS
SELECT i.sector_set, i.year, i.rid, i.nid, i.persons,
       i.share_r / nullif(t.e_s / nullif(t.e_all, 0), 0) AS lq, i.flag, i.source_id
FROM cluster_input i
JOIN cluster_coverage_levels v ON v.level = 0.5
JOIN cluster_totals t ON t.pos = v.pos AND t.sector_set = i.sector_set AND t.year = i.year AND t.nid = i.nid
WHERE i.coverage_in >= v.level;

-- proximity_ids(sector_set, year): sector_proximity on the integer ids (below); year NULL: every year.
--   A region is specialised in a sector (x_rs = 1) when the cell is known and LQ >= 1 (a confidential or missing
--   cell is not a specialisation). k_a / k_b = regions specialised in each sector, both = in both; proximity
--   phi_ab = min(P(x_a = 1 | x_b = 1), P(x_b = 1 | x_a = 1)) = both / max(k_a, k_b) (Hidalgo et al. 2007); NULL
--   when neither sector has a specialised region.
--   (Macro parameters replace unqualified names: every column named sector_set or year is qualified or renamed.)
CREATE OR REPLACE MACRO proximity_ids(sector_set, year) AS TABLE
WITH cells AS MATERIALIZED (
    SELECT l.year AS yr, l.rid, l.nid, coalesce(l.lq >= 1, false) AS x
    FROM cluster_lq l
    WHERE l.sector_set = sector_set AND (year IS NULL OR l.year = year)
),
sectors AS (
    SELECT yr, nid, count(*) FILTER (WHERE x) AS k FROM cells GROUP BY ALL
),
pairs AS (
    SELECT a.yr, a.nid AS na, b.nid AS nb, count(*) AS both_
    FROM cells a JOIN cells b ON a.yr = b.yr AND a.rid = b.rid
    WHERE a.x AND b.x AND a.nid <> b.nid
    GROUP BY ALL
)
SELECT sa.yr, sa.nid AS na, sb.nid AS nb, coalesce(p.both_, 0) / nullif(greatest(sa.k, sb.k), 0) AS proximity,
       sa.k AS k_a, sb.k AS k_b, coalesce(p.both_, 0) AS both_
FROM sectors sa
JOIN sectors sb ON sa.yr = sb.yr AND sa.nid <> sb.nid
LEFT JOIN pairs p ON p.yr = sa.yr AND p.na = sa.nid AND p.nb = sb.nid;

-- density_ids(sector_set, year): relatedness density on the integer ids (year NULL: every year); see
-- relatedness_density below.
CREATE OR REPLACE MACRO density_ids(sector_set, year) AS TABLE
WITH prox AS MATERIALIZED (
    SELECT * FROM proximity_ids(sector_set, year)
),
cells AS MATERIALIZED (
    SELECT l.year AS yr, l.rid, l.nid, l.lq
    FROM cluster_lq l
    WHERE l.sector_set = sector_set AND (year IS NULL OR l.year = year)
),
held AS (
    SELECT c.yr, c.rid, p.na AS nid, sum(p.proximity) AS near
    FROM cells c JOIN prox p ON p.yr = c.yr AND p.nb = c.nid
    WHERE c.lq >= 1
    GROUP BY ALL
),
total AS (
    SELECT yr, na AS nid, sum(proximity) AS around FROM prox GROUP BY ALL
)
SELECT c.yr, c.rid, c.nid, 100 * coalesce(h.near, 0) / nullif(t.around, 0) AS density
FROM cells c
LEFT JOIN held h ON h.yr = c.yr AND h.rid = c.rid AND h.nid = c.nid
LEFT JOIN total t ON t.yr = c.yr AND t.nid = c.nid;

-- Proximity and density depend on the sector set and year only: computed once here for every set and year, served
-- by the two macros below (the page, the console and the exports read them in milliseconds).
CREATE OR REPLACE TABLE cluster_proximity AS
SELECT 'division' AS sector_set, * FROM proximity_ids('division', NULL)
UNION ALL
SELECT 'section', * FROM proximity_ids('section', NULL)
UNION ALL
SELECT 'manufacturing', * FROM proximity_ids('manufacturing', NULL)
ORDER BY sector_set, yr, na, nb;

-- cluster_density, the same for density_ids, is filled after this file by mapping/ingest/density.py: a matrix
-- product per set and year instead of a join of every specialised cell to every sector (50 s at 100x scale).
CREATE OR REPLACE TABLE cluster_density (sector_set VARCHAR, yr BIGINT, rid INTEGER, nid INTEGER, density DOUBLE,
                                         persons DOUBLE, lq DOUBLE);

-- sector_proximity(sector_set, year): one row per ordered pair of sectors of the set in that year (see
-- proximity_ids): sector_a, sector_b, proximity, regions_a, regions_b, regions_both; year NULL: every year, the year
-- in data_year.
CREATE OR REPLACE MACRO sector_proximity(sector_set, year) AS TABLE
SELECT a.nace AS sector_a, b.nace AS sector_b, p.proximity, p.k_a AS regions_a, p.k_b AS regions_b,
       p.both_ AS regions_both, p.yr AS data_year
FROM cluster_proximity p
JOIN cluster_sector_ids a ON a.nid = p.na
JOIN cluster_sector_ids b ON b.nid = p.nb
WHERE p.sector_set = sector_set AND (year IS NULL OR p.yr = year);

-- relatedness_density(sector_set, year): one row per region x sector of the set in that year (year NULL: every year).
--   density d_rs = 100 * sum_j phi_sj * x_rj / sum_j phi_sj over the other sectors j (Hidalgo et al. 2007;
--   Balland et al. 2019): how much of what is related to sector s the region already holds. specialised = x_rs
--   (NULL where the cell is confidential or missing); persons and lq of the cell are kept for the diagrams.
CREATE OR REPLACE MACRO relatedness_density(sector_set, year) AS TABLE
SELECT g.region_code, x.nace AS sector, d.density,
       CASE WHEN d.persons IS NOT NULL THEN coalesce(d.lq >= 1, false) END AS specialised,
       g.nuts_version, g.country, d.persons, d.lq, d.yr AS data_year
FROM cluster_density d
JOIN cluster_region_ids g ON g.rid = d.rid
JOIN cluster_sector_ids x ON x.nid = d.nid
WHERE d.sector_set = sector_set AND (year IS NULL OR d.yr = year);

COMMENT ON TABLE cluster_lq IS 'Location quotient of every cell of every cluster sector set and year (as cluster_cells computes it).';
COMMENT ON TABLE cluster_proximity IS 'Proximity of every ordered pair of sectors by sector set and year (integer ids; read it with sector_proximity).';
