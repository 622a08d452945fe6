-- region_indicators: the indicators with a value for a region in at least two years (a trend to draw), with label, unit, source and years
-- params: $region
SELECT c.indicator_id, c.label, c.unit, c.source_id, count(DISTINCT i.year) AS years, min(i.year) AS first_year,
       max(i.year) AS last_year
FROM indicators i
JOIN indicator_catalog c ON c.indicator_id = i.indicator_id
WHERE i.region_code = $region AND i.value IS NOT NULL
GROUP BY ALL
HAVING count(DISTINCT i.year) >= 2
ORDER BY c.label
