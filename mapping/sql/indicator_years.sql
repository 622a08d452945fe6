-- indicator_years: years with at least one value for an indicator at a NUTS level, newest first, with the number of regions
-- params: $indicator, $level
SELECT i.year, count(*) AS n
FROM indicators i
JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
WHERE i.indicator_id = $indicator AND r.level = $level AND i.value IS NOT NULL
GROUP BY i.year
ORDER BY i.year DESC
