-- sources: one row per source with its provenance (title, publisher, licence, attribution, URL, checksum, rows, build time) and status (loaded, missing, failed, superseded) with reason and remedy
-- params: none
SELECT source_id, title, publisher, licence, attribution, url, file, sha256, rows_loaded, built_at,
       format, nuts_version, vintage, status, notes, reason, remedy, required, data_years
FROM sources
ORDER BY source_id
