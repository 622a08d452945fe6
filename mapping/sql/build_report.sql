-- build_report: per source, what was read, placed, recoded or left unplaced (with codes)
-- params: none
SELECT source_id, item, count, detail FROM build_report ORDER BY source_id, item
