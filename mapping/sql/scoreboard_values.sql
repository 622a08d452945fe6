-- scoreboard_values: every published value of the listed (indicator, year) pairs, at any level and for units, with flag and provenance
-- params: $indicators, $years
WITH wanted AS (SELECT unnest($indicators) AS indicator_id, unnest($years) AS year)
SELECT i.region_code, i.nuts_version, i.indicator_id, i.year, i.value, i.flag, i.source_id, i.placement,
       i.nuts_note
FROM indicators i
JOIN wanted w ON w.indicator_id = i.indicator_id AND w.year = i.year
WHERE i.value IS NOT NULL AND i.nuts_version <> 'aggregate'
