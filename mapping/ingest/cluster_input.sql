-- cluster_input: the employment cells the cluster methods use, with every measure that does not depend on a threshold.

-- Integer ids of the NUTS 2 regions (and units) and of the NACE divisions and sections: the cells group, sort and join
-- on them (3x faster than on the codes). Taken from the small reference tables, never ranked over the cells.
CREATE OR REPLACE TABLE cluster_region_ids AS
SELECT row_number() OVER (ORDER BY code, nuts_version)::INTEGER AS rid, code AS region_code, nuts_version, country
FROM regions
WHERE level = 2;

CREATE OR REPLACE TABLE cluster_sector_ids AS
SELECT row_number() OVER (ORDER BY code)::INTEGER AS nid, code AS nace
FROM nace
WHERE level IN ('division', 'section');

-- cluster_input: one row per NUTS 2 region (rid) x sector (nid) x year of a sector set, sorted by set, year, sector and
-- region; the codes are in cluster_region_ids and cluster_sector_ids (no strings to carry: 2x faster to build).
-- Sets: 'division' and 'section' = the business economy (NACE B-N without K, plus S95) from the regional SBS tables,
-- sbs_r_nuts06_r2 to 2020 and sbs_r_nuts2021 from 2021; 'manufacturing' = divisions C10-C33 from the same tables, or
-- from the 2022 extract of sbs_r_nuts2021 where the whole table is not loaded. Each cell keeps its source_id: a
-- change of table between two years is a break in series.
-- Per region-year (sums over the cells of the set with a known value; confidential cells are unknown, not zero):
-- e_r, known_r (cells with a value), confidential_r, n_sectors_in (sectors of the set that year) and coverage_in =
-- known_r / n_sectors_in, which the coverage rule of cluster_cells compares. A region-year is in or out as a whole,
-- so e_r, share_r = E_rs / E_r and wage_per_person do not depend on the rule either. The percentile ranks, which
-- do, are added by mapping/ingest/cluster_ranks.py for each level of the rule.
CREATE OR REPLACE TEMP TABLE cluster_cells_found AS
WITH cells AS (
    SELECT n.level AS sector_set, e.*
    FROM employment e JOIN nace n ON n.code = e.nace
    WHERE e.source_id IN ('eurostat_sbs_r_nuts06_r2', 'eurostat_sbs_r_nuts2021') AND n.level IN ('division', 'section')
    UNION ALL
    SELECT 'manufacturing', e.*
    FROM employment e JOIN nace n ON n.code = e.nace
    WHERE e.source_id IN ('eurostat_sbs_r_nuts06_r2', 'eurostat_sbs_r_nuts2021', 'eurostat_sbs_r_nuts2021_manuf')
      AND n.level = 'division' AND n.parent = 'C'
),
ided AS (
    SELECT c.sector_set, c.year, x.nid, g.rid, c.persons, c.local_units, c.wages_meur, c.flag, c.source_id,
           CASE c.source_id WHEN 'eurostat_sbs_r_nuts2021' THEN 0 WHEN 'eurostat_sbs_r_nuts06_r2' THEN 1 ELSE 2 END AS prio
    FROM cells c
    JOIN cluster_region_ids g ON g.region_code = c.region_code AND g.nuts_version = c.nuts_version
    JOIN cluster_sector_ids x ON x.nace = c.nace
),
-- Where two tables publish the same cell (they should not overlap in years), the newer table wins. Only the
-- set-years with more than one table are ranked: elsewhere there is nothing to choose.
overlap AS (
    SELECT sector_set, year FROM ided GROUP BY ALL HAVING count(DISTINCT source_id) > 1
)
SELECT * EXCLUDE (prio) FROM ided ANTI JOIN overlap USING (sector_set, year)
UNION ALL
SELECT * EXCLUDE (prio) FROM (SELECT * FROM ided SEMI JOIN overlap USING (sector_set, year))
QUALIFY row_number() OVER (PARTITION BY sector_set, rid, nid, year ORDER BY prio) = 1;

CREATE OR REPLACE TABLE cluster_input AS
WITH sizes AS (
    SELECT sector_set, year, count(DISTINCT nid) AS n_sectors_in FROM cluster_cells_found GROUP BY ALL
),
by_region AS (
    SELECT sector_set, year, rid, sum(persons) AS e_r, count(persons) AS known_r,
           count(*) FILTER (WHERE flag LIKE '%c%') AS confidential_r
    FROM cluster_cells_found GROUP BY ALL
)
SELECT k.*, s.n_sectors_in, r.known_r / s.n_sectors_in AS coverage_in, r.e_r, r.known_r, r.confidential_r,
       k.persons / nullif(r.e_r, 0) AS share_r, k.wages_meur * 1e6 / nullif(k.persons, 0) AS wage_per_person
FROM cluster_cells_found k
JOIN sizes s USING (sector_set, year)
JOIN by_region r USING (sector_set, year, rid)
ORDER BY k.sector_set, k.year, k.nid, k.rid;

DROP TABLE cluster_cells_found;
