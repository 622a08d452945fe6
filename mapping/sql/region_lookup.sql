-- region_lookup: every region and unit with level, country and latin name (a code may exist in several NUTS versions)
-- params: none
SELECT code, nuts_version, level, country, name_latn AS name, is_unit, members, label_lon AS lon, label_lat AS lat
FROM regions
ORDER BY code, nuts_version
