-- build_info: key/value facts about the build (time, sources folder, versions)
-- params: none
SELECT key, value FROM build_info ORDER BY key
