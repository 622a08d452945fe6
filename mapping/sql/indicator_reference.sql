-- indicator_reference: the EU aggregate value of an indicator in a year (NULL when the source publishes none)
-- params: $indicator, $year
SELECT region_code, value FROM indicators
WHERE indicator_id = $indicator AND year = $year AND nuts_version = 'aggregate' AND region_code = 'EU27_2020'
