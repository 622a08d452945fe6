-- source_files: every file read from the sources folder with its source, size and SHA-256
-- params: none
SELECT source_id, file, bytes, sha256 FROM source_files ORDER BY source_id, file
