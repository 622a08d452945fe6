-- schema: every table of the built DB. Names and the listed columns are a contract the pages rely on.

CREATE TABLE sources (
    source_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    publisher VARCHAR NOT NULL,
    licence VARCHAR NOT NULL,
    attribution VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    file VARCHAR NOT NULL,          -- file(s) read (or expected, when missing), relative to their folder, '; '-separated
    sha256 VARCHAR,                 -- of the single file, or of the per-file digests in order
    rows_loaded BIGINT NOT NULL,
    built_at TIMESTAMP NOT NULL,
    format VARCHAR,
    nuts_version VARCHAR,
    vintage VARCHAR,
    status VARCHAR NOT NULL,        -- loaded | missing | failed | superseded (the last three only with --allow-missing)
    notes VARCHAR,
    reason VARCHAR,                 -- why a source is missing, failed or superseded
    remedy VARCHAR,                 -- the command or file that brings a missing or failed source
    required BOOLEAN NOT NULL,      -- the boundaries: nothing is drawn without them
    data_years VARCHAR              -- first-last year of the rows loaded
);

CREATE TABLE source_files (
    source_id VARCHAR NOT NULL,
    file VARCHAR NOT NULL,          -- relative to the sources folder (or to this repository for its own records)
    bytes BIGINT,
    sha256 VARCHAR
);

CREATE TABLE regions (
    code VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,  -- 2021 | 2024 | an older version for split/group units | RCI2022
    level INTEGER NOT NULL,
    country VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    name_latn VARCHAR NOT NULL,
    parent VARCHAR,
    label_lon DOUBLE,
    label_lat DOUBLE,
    mount_type INTEGER,
    urbn_type INTEGER,
    coast_type INTEGER,
    is_unit BOOLEAN NOT NULL,       -- a derived map unit (old split region, boundary group, RCI capital area)
    unit_method VARCHAR,
    members VARCHAR,                -- NUTS 2021 member codes of a unit, '+'-separated
    PRIMARY KEY (code, nuts_version)
);

CREATE TABLE region_units (
    unit_code VARCHAR NOT NULL,
    unit_version VARCHAR NOT NULL,
    member_code VARCHAR NOT NULL,
    member_version VARCHAR NOT NULL,
    method VARCHAR NOT NULL
);

CREATE TABLE region_geometry (
    code VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,
    level INTEGER NOT NULL,
    scale VARCHAR NOT NULL,         -- 60M (screen) | 20M (export)
    geom GEOMETRY NOT NULL,
    geojson VARCHAR NOT NULL,       -- rounded GeoJSON geometry, ready to embed in a figure
    PRIMARY KEY (code, nuts_version, scale)
);

CREATE TABLE nuts_crosswalk (
    from_code VARCHAR NOT NULL,
    from_version VARCHAR NOT NULL,
    to_code VARCHAR NOT NULL,
    to_version VARCHAR NOT NULL,
    method VARCHAR NOT NULL,        -- recode | split | group | unit
    unit_code VARCHAR NOT NULL,     -- the code the values land on
    note VARCHAR,
    source_id VARCHAR NOT NULL
);

CREATE TABLE nace (
    code VARCHAR PRIMARY KEY,
    level VARCHAR NOT NULL,         -- section | division | group | lfs_group
    parent VARCHAR,
    label VARCHAR NOT NULL
);

CREATE TABLE employment (
    region_code VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,
    nace VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    persons DOUBLE,                 -- persons employed; NULL = confidential or not available (see flag)
    local_units DOUBLE,
    wages_meur DOUBLE,              -- wages and salaries, million EUR
    flag VARCHAR,                   -- Eurostat flag of persons
    local_units_flag VARCHAR,
    wages_flag VARCHAR,
    source_id VARCHAR NOT NULL,
    source_code VARCHAR NOT NULL,   -- the code as published
    placement VARCHAR NOT NULL,     -- nuts | recode | split | group
    nuts_note VARCHAR
);

CREATE TABLE lfs_employment (
    region_code VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,
    nace VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    thousands DOUBLE,
    flag VARCHAR,
    source_id VARCHAR NOT NULL,
    source_code VARCHAR NOT NULL,
    placement VARCHAR NOT NULL,
    nuts_note VARCHAR
);

CREATE TABLE indicators (
    region_code VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    value DOUBLE,
    flag VARCHAR,
    source_id VARCHAR NOT NULL,
    source_code VARCHAR NOT NULL,
    placement VARCHAR NOT NULL,
    nuts_note VARCHAR
);

CREATE TABLE indicator_catalog (
    indicator_id VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    description VARCHAR,
    source_id VARCHAR NOT NULL,
    higher_is_better BOOLEAN,       -- NULL where direction is not meaningful
    dimension VARCHAR NOT NULL,
    additive BOOLEAN NOT NULL,      -- may be summed over regions (counts, money, persons)
    reference_period VARCHAR,       -- as stated by the source, where it differs from `year`
    nuts_version VARCHAR,
    levels VARCHAR,                 -- NUTS levels with data, e.g. '0,2'
    min_year INTEGER,
    max_year INTEGER,
    n_regions INTEGER
);

CREATE TABLE ris_performance (
    region_code VARCHAR NOT NULL,
    nuts_version VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    performance_group VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL
);

CREATE TABLE escp_programmes (
    programme VARCHAR NOT NULL,
    generation VARCHAR,
    fact VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    source VARCHAR NOT NULL,        -- URL or document title
    source_kind VARCHAR NOT NULL,   -- web page | document
    source_id VARCHAR NOT NULL
);

CREATE TABLE escp_partnerships (
    programme VARCHAR NOT NULL,
    generation VARCHAR,
    period VARCHAR,
    acronym VARCHAR NOT NULL,
    name VARCHAR,
    coordinator VARCHAR,
    coordinator_country VARCHAR,
    sector_theme VARCHAR,
    target_markets VARCHAR,
    members_expected INTEGER,       -- the leading number of members_expected_text, where there is one
    members_expected_text VARCHAR,  -- as recorded, e.g. '10 clusters from BE, FR, EL, IT, PL, ES'
    members_listed INTEGER,
    source_url VARCHAR NOT NULL,
    note VARCHAR,
    source_id VARCHAR NOT NULL
);

CREATE TABLE escp_members (
    programme VARCHAR NOT NULL,
    generation VARCHAR,
    period VARCHAR,
    partnership_acronym VARCHAR NOT NULL,
    partnership_name VARCHAR,
    member_organisation VARCHAR,    -- NULL on partnership-level fact rows
    member_country VARCHAR,
    role VARCHAR,
    source_url VARCHAR NOT NULL,
    note VARCHAR,
    member_country_source VARCHAR,
    completeness VARCHAR NOT NULL,
    line INTEGER NOT NULL,          -- line in the source file, for traceability
    source_id VARCHAR NOT NULL
);

CREATE TABLE unplaced (
    source_id VARCHAR NOT NULL,
    source_code VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    year INTEGER,
    value DOUBLE,
    flag VARCHAR,
    reason VARCHAR NOT NULL
);

CREATE TABLE build_report (
    source_id VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    count BIGINT NOT NULL,
    detail VARCHAR
);

CREATE TABLE build_info (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- What each table holds, kept in the DB (duckdb_tables().comment): the Data page and the downloads show it.
COMMENT ON TABLE sources IS 'One row per source: title, publisher, licence, attribution, official URL, file, SHA-256, rows loaded, build time, status (loaded, missing, failed, superseded) with reason and remedy.';
COMMENT ON TABLE source_files IS 'Every file read from the sources folder with its size and SHA-256.';
COMMENT ON TABLE regions IS 'NUTS regions (2021, 2024, older units kept for split/group placements, RCI units): names, level, parent, typologies.';
COMMENT ON TABLE region_units IS 'Derived units (groups of regions) used where a source publishes a merged or older region.';
COMMENT ON TABLE region_geometry IS 'Region boundaries from GISCO (1:60 and 1:20 million) as GEOMETRY and GeoJSON text.';
COMMENT ON TABLE nuts_crosswalk IS 'How older NUTS codes are placed on NUTS 2021: recode, split, group or unit, with a note per row.';
COMMENT ON TABLE nace IS 'NACE Rev. 2 sections and divisions with their labels.';
COMMENT ON TABLE employment IS 'Eurostat SBS regional cells: persons employed, local units, wages by NUTS region x NACE x year, with flags and placement.';
COMMENT ON TABLE lfs_employment IS 'Eurostat LFS employment by NUTS 2 region x NACE section x year (thousand persons), with flags.';
COMMENT ON TABLE indicators IS 'Every regional indicator value (Eurostat, RIS, EIS, RCI 2022) by region x year, with flag and source.';
COMMENT ON TABLE indicator_catalog IS 'The indicators: label, unit, description, direction, dimension, levels and years with data, source.';
COMMENT ON TABLE ris_performance IS 'Regional Innovation Scoreboard performance groups by region, year and edition (source_id).';
COMMENT ON TABLE escp_programmes IS 'ESCP programme facts (funding programme, call, number of partnerships) with their source pages.';
COMMENT ON TABLE escp_partnerships IS 'European Strategic Cluster Partnerships: acronym, name, programme, focus, source link, list completeness.';
COMMENT ON TABLE escp_members IS 'ESCP member organisations: partnership, name, country, role, completeness, line in the source file.';
COMMENT ON TABLE unplaced IS 'Source rows that could not be placed on a NUTS 2021 region, each with the reason.';
COMMENT ON TABLE build_report IS 'Per source: rows read, placed, recoded, split, grouped or unplaced, with codes.';
COMMENT ON TABLE build_info IS 'Facts about the build: time, sources folder, software versions.';
