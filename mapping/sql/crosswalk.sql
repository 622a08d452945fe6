-- crosswalk: the NUTS crosswalk rows (older code -> NUTS 2021 code, method, unit, note) with the old region's name where known
-- params: none
SELECT x.from_code, x.from_version, x.to_code, x.to_version, x.method, x.unit_code, r.name AS to_name, x.note
FROM nuts_crosswalk x
LEFT JOIN regions r ON r.code = x.to_code AND r.nuts_version = x.to_version
ORDER BY x.method, x.from_code, x.to_code
