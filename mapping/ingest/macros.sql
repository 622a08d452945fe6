-- macros: derived inputs and table macros created by the build, so query files share one definition of each method.

-- cluster_input: the employment cells the cluster methods use (NUTS 2 regions and units), tagged with their sector
-- set and keyed by integer ids, sorted by set, year and sector. Prepared once here: the macro then groups and ranks
-- on integers (3x faster). Sets: 'division' and 'section' = the business economy (NACE B-N without K, plus S95) from
-- the regional SBS tables, sbs_r_nuts06_r2 to 2020 and sbs_r_nuts2021 from 2021; 'manufacturing' = divisions
-- C10-C33 from the same tables, or from the 2022 extract of sbs_r_nuts2021 where the whole table is not loaded.
-- Each cell keeps its source_id: a change of table between two years is a break in series.
CREATE OR REPLACE TABLE cluster_input AS
WITH cells AS (
    SELECT n.level AS sector_set, e.*
    FROM employment e JOIN nace n ON n.code = e.nace
    WHERE e.source_id IN ('eurostat_sbs_r_nuts06_r2', 'eurostat_sbs_r_nuts2021') AND n.level IN ('division', 'section')
    UNION ALL
    SELECT 'manufacturing', e.*
    FROM employment e JOIN nace n ON n.code = e.nace
    WHERE e.source_id IN ('eurostat_sbs_r_nuts06_r2', 'eurostat_sbs_r_nuts2021', 'eurostat_sbs_r_nuts2021_manuf')
      AND n.level = 'division' AND n.parent = 'C'
)
SELECT c.sector_set, c.region_code, c.nuts_version, r.country, c.nace, c.year, c.persons, c.local_units,
       c.wages_meur, c.flag, c.source_id,
       dense_rank() OVER (ORDER BY c.region_code, c.nuts_version)::INTEGER AS rid,
       dense_rank() OVER (ORDER BY c.nace)::INTEGER AS nid
FROM cells c
JOIN regions r ON r.code = c.region_code AND r.nuts_version = c.nuts_version AND r.level = 2
-- Where two tables publish the same cell (they should not overlap in years), the newer table wins.
QUALIFY row_number() OVER (PARTITION BY c.sector_set, c.region_code, c.nuts_version, c.nace, c.year
                           ORDER BY CASE c.source_id WHEN 'eurostat_sbs_r_nuts2021' THEN 0
                                                     WHEN 'eurostat_sbs_r_nuts06_r2' THEN 1 ELSE 2 END) = 1
ORDER BY c.sector_set, c.year, nid, rid;

-- Each cell also carries its region-year's coverage (known sector cells / sectors of the set in that year) and the
-- set's number of sectors that year: the coverage rule of cluster_cells is then a filter on a column.
CREATE OR REPLACE TABLE cluster_input AS
WITH sizes AS (
    SELECT sector_set, year, count(DISTINCT nid) AS n_sectors_in FROM cluster_input GROUP BY ALL
)
SELECT i.*, s.n_sectors_in,
       count(i.persons) OVER (PARTITION BY i.sector_set, i.year, i.rid) / s.n_sectors_in AS coverage_in
FROM cluster_input i JOIN sizes s ON s.sector_set = i.sector_set AND s.year = i.year
ORDER BY i.sector_set, i.year, i.nid, i.rid;

CREATE OR REPLACE TABLE cluster_region_ids AS
SELECT DISTINCT rid, region_code, nuts_version, country FROM cluster_input;

CREATE OR REPLACE TABLE cluster_sector_ids AS
SELECT DISTINCT nid, nace FROM cluster_input;

-- cluster_cells(sector_set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct[, only_year][, min_coverage]): one row per
-- NUTS 2 region x sector x year of a sector set with employment, the location quotient and its denominators,
-- coverage, percentile ranks and the stars of each method.
--   Coverage rule: a region-year whose known sector cells are fewer than min_coverage (default 0.5) of the set's
--   sectors is left out before anything is computed (no LQ, no rank, no star, not in E_s and E): its few known
--   cells are fragments (e.g. UKD7 in 2010 publishes construction only, under its new code, while its other
--   divisions stay under the old UKD2+UKD5 group; its LQs of 9-12 are artefacts). cluster_excluded lists them.
--   LQ = (E_rs / E_r) / (E_s / E); E_r, E_s and E are sums over the cells of the same set and year that have a
--   known value (confidential cells are unknown, not zero); coverage_r = known sector cells / sectors in the set.
--   Percentile rank = round(100 / n * (rank - 0.5)), rank ascending with ties sharing the lowest rank, among the
--   n regions with employment > 0 in that sector and year (local units and wages: among those that publish them).
--   Observatory: size (employment pct >= 100 - top_pct), specialisation (LQ >= spec_lq), focus (share pct >= 100 - top_pct).
--   Panorama-style: size, specialisation, productivity (wages per person employed pct >= 100 - top_pct).
--   U.S. CMP strong cluster: LQ pct >= cmp_lq_pct and LQ >= 1 and employment pct > cmp_size_pct and local units
--   pct > cmp_size_pct; NULL where the cells publish no local units (the 2022 manufacturing extract).
CREATE OR REPLACE MACRO cluster_cells(sector_set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct, only_year := NULL,
                                      min_coverage := 0.5, group_members := NULL, group_weights := NULL) AS TABLE
WITH members AS (
    SELECT x.nid, m.weight
    FROM (SELECT unnest(coalesce(group_members, []::VARCHAR[])) AS nace,
                 unnest(coalesce(group_weights, []::DOUBLE[])) AS weight) m
    JOIN cluster_sector_ids x ON x.nace = m.nace
),
-- A sector group of the user's own (group_members, weighted by group_weights): one more sector, nace 'GROUP', whose
-- cell is the weighted sum of its members' cells (unknown when any member's is); it has its own E_s and ranks but
-- is never counted in E_r or E, which stay the sums over the set's real sectors.
grp AS (
    SELECT b.rid, 0 AS nid, b.year, b.year * 1000 AS part,
           CASE WHEN count(b.persons) = count(*) THEN sum(b.persons * m.weight) END AS persons,
           CASE WHEN count(b.local_units) = count(*) THEN sum(b.local_units * m.weight) END AS local_units,
           CASE WHEN count(b.wages_meur) = count(*) THEN sum(b.wages_meur * m.weight) END AS wages_meur,
           CASE WHEN bool_or(b.flag LIKE '%c%') THEN 'c' END AS flag, min(b.source_id) AS source_id,
           any_value(b.n_sectors_in) AS n_sectors_in, true AS is_group
    FROM cluster_input b JOIN members m ON m.nid = b.nid
    WHERE b.sector_set = sector_set AND (only_year IS NULL OR b.year = only_year) AND b.coverage_in >= min_coverage
    GROUP BY b.rid, b.year
    HAVING count(*) = (SELECT count(*) FROM members)
),
cells AS MATERIALIZED (
    SELECT rid, nid, year, year * 1000 + nid AS part, persons, local_units, wages_meur, flag, source_id, n_sectors_in,
           false AS is_group
    FROM cluster_input
    WHERE cluster_input.sector_set = sector_set AND (only_year IS NULL OR year = only_year)
      AND coverage_in >= min_coverage
    UNION ALL
    SELECT * FROM grp
),
by_year AS (
    SELECT year, sum(persons) FILTER (WHERE NOT is_group) AS e_all, any_value(n_sectors_in) AS n_sectors
    FROM cells GROUP BY year
),
by_region AS (
    SELECT year, rid, sum(persons) FILTER (WHERE NOT is_group) AS e_r,
           count(persons) FILTER (WHERE NOT is_group) AS known_r,
           count(*) FILTER (WHERE flag LIKE '%c%' AND NOT is_group) AS confidential_r
    FROM cells GROUP BY ALL
),
by_sector AS (
    SELECT part, sum(persons) AS e_s, count(persons) AS known_s,
           count(*) FILTER (WHERE persons > 0) AS n_active,
           count(*) FILTER (WHERE persons > 0 AND local_units IS NOT NULL) AS n_units,
           count(*) FILTER (WHERE persons > 0 AND wages_meur IS NOT NULL) AS n_wage
    FROM cells GROUP BY ALL
),
measures AS MATERIALIZED (
    SELECT c.rid, c.nid, c.year, c.part, c.persons, c.local_units, c.wages_meur, c.flag, c.source_id,
           y.e_all, y.n_sectors, r.e_r, r.known_r, r.confidential_r, s.e_s, s.known_s, s.n_active, s.n_units,
           s.n_wage,
           c.persons / nullif(r.e_r, 0) AS share_r,
           (c.persons / nullif(r.e_r, 0)) / nullif(s.e_s / nullif(y.e_all, 0), 0) AS lq,
           c.wages_meur * 1e6 / nullif(c.persons, 0) AS wage_per_person,
           r.known_r / y.n_sectors AS coverage_r
    FROM cells c
    JOIN by_year y USING (year)
    JOIN by_region r USING (year, rid)
    JOIN by_sector s USING (part)
),
ranks AS (
    -- Active cells only (employment > 0). Within a sector and year the LQ is the regional share times a constant,
    -- so the LQ rank is the share rank. NULLs sort last and do not push the ranks of known values.
    SELECT rid, part,
           rank() OVER (w ORDER BY persons) AS rank_size,
           rank() OVER (w ORDER BY share_r) AS rank_share,
           CASE WHEN local_units IS NOT NULL THEN rank() OVER (w ORDER BY local_units NULLS LAST) END AS rank_units,
           CASE WHEN wage_per_person IS NOT NULL THEN rank() OVER (w ORDER BY wage_per_person NULLS LAST) END AS rank_wage
    FROM measures
    WHERE persons > 0
    WINDOW w AS (PARTITION BY part)
),
pct AS (
    SELECT m.*,
           round(100.0 / m.n_active * (k.rank_size - 0.5)) AS size_pct,
           round(100.0 / m.n_active * (k.rank_share - 0.5)) AS share_pct,
           round(100.0 / m.n_active * (k.rank_share - 0.5)) AS lq_pct,
           round(100.0 / nullif(m.n_units, 0) * (k.rank_units - 0.5)) AS units_pct,
           round(100.0 / nullif(m.n_wage, 0) * (k.rank_wage - 0.5)) AS wage_pct
    FROM measures m
    LEFT JOIN ranks k USING (rid, part)
)
SELECT g.region_code, g.nuts_version, g.country, coalesce(x.nace, 'GROUP') AS nace, p.year, p.persons, p.local_units, p.wages_meur, p.flag,
       p.source_id, p.e_r, p.e_s, p.e_all, p.known_r, p.confidential_r, p.n_sectors, p.coverage_r, p.known_s,
       p.n_active, p.share_r, p.lq, p.wage_per_person, p.size_pct, p.share_pct, p.lq_pct, p.units_pct, p.wage_pct,
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
FROM pct p
JOIN cluster_region_ids g ON g.rid = p.rid
LEFT JOIN cluster_sector_ids x ON x.nid = p.nid;

-- cluster_excluded(sector_set, min_coverage[, only_year]): the region-years the coverage rule of cluster_cells leaves
-- out: known sector cells, sectors in the set, coverage, persons in the known cells, and the reason in words.
CREATE OR REPLACE MACRO cluster_excluded(sector_set, min_coverage, only_year := NULL) AS TABLE
SELECT c.region_code, c.nuts_version, c.country, c.year, count(c.persons) AS known_r,
       any_value(c.n_sectors_in) AS n_sectors, any_value(c.coverage_in) AS coverage_r,
       coalesce(sum(c.persons), 0) AS persons_known,
       format('{} of {} sectors with a published value ({:.0f}%), below the coverage rule ({:.0f}%)',
              count(c.persons), any_value(c.n_sectors_in), 100 * any_value(c.coverage_in),
              100 * min_coverage) AS reason
FROM cluster_input c
WHERE c.sector_set = sector_set AND (only_year IS NULL OR c.year = only_year) AND c.coverage_in < min_coverage
GROUP BY c.region_code, c.nuts_version, c.country, c.year;

COMMENT ON TABLE cluster_input IS 'The employment cells the cluster methods use (NUTS 2 regions and units x sector x year), by sector set, with integer ids.';
COMMENT ON TABLE cluster_region_ids IS 'Integer ids of the regions in cluster_input.';
COMMENT ON TABLE cluster_sector_ids IS 'Integer ids of the sectors in cluster_input.';

-- cluster_lq: the location quotient of every cell of every sector set and year, as cluster_cells defines it (the
-- thresholds do not change it), with the integer ids of cluster_input. Precomputed once here for the relatedness
-- macros below, which group and join on the ids (2x faster than on the codes).
CREATE OR REPLACE TABLE cluster_lq AS
WITH cells AS (
    SELECT 'division' AS sector_set, * FROM cluster_cells('division', 1, 10, 75, 50)
    UNION ALL
    SELECT 'section', * FROM cluster_cells('section', 1, 10, 75, 50)
    UNION ALL
    SELECT 'manufacturing', * FROM cluster_cells('manufacturing', 1, 10, 75, 50)
)
SELECT c.sector_set, c.region_code, c.nuts_version, c.country, c.nace, c.year, c.persons, c.lq, c.flag, c.source_id,
       g.rid, x.nid
FROM cells c
JOIN cluster_region_ids g ON g.region_code = c.region_code AND g.nuts_version = c.nuts_version
JOIN cluster_sector_ids x ON x.nace = c.nace
ORDER BY c.sector_set, c.year, x.nid, g.rid;

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

CREATE OR REPLACE TABLE cluster_density AS
SELECT 'division' AS sector_set, * FROM density_ids('division', NULL)
UNION ALL
SELECT 'section', * FROM density_ids('section', NULL)
UNION ALL
SELECT 'manufacturing', * FROM density_ids('manufacturing', NULL)
ORDER BY sector_set, yr, nid, rid;

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
SELECT l.region_code, l.nace AS sector, d.density,
       CASE WHEN l.persons IS NOT NULL THEN coalesce(l.lq >= 1, false) END AS specialised,
       l.nuts_version, l.country, l.persons, l.lq, l.year AS data_year
FROM cluster_lq l
JOIN cluster_density d ON d.sector_set = l.sector_set AND d.yr = l.year AND d.rid = l.rid AND d.nid = l.nid
WHERE l.sector_set = sector_set AND (year IS NULL OR l.year = year);

COMMENT ON TABLE cluster_lq IS 'Location quotient of every cell of every cluster sector set and year (as cluster_cells computes it).';
COMMENT ON TABLE cluster_proximity IS 'Proximity of every ordered pair of sectors by sector set and year (integer ids; read it with sector_proximity).';
COMMENT ON TABLE cluster_density IS 'Relatedness density of every region x sector by sector set and year (integer ids; read it with relatedness_density).';
