-- indicator_coverage: per listed indicator and year, the number of NUTS 1 and NUTS 2 regions (and units) with a value
-- params: $indicators
SELECT i.indicator_id, i.year, count(DISTINCT i.region_code) AS n
FROM indicators i
JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version
WHERE list_contains($indicators, i.indicator_id) AND i.value IS NOT NULL AND r.level IN (1, 2)
GROUP BY ALL
ORDER BY i.indicator_id, i.year
