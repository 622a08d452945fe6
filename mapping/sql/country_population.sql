-- country_population: population in millions per country (European Innovation Scoreboard 2023, structural indicator 5.6.1, latest year)
-- params: none
SELECT region_code AS country, max(year) AS year, arg_max(value, year) AS population_m, any_value(source_id) AS source_id
FROM indicators
WHERE indicator_id = 'eis.5.6.1' AND nuts_version <> 'aggregate' AND value IS NOT NULL
GROUP BY region_code
ORDER BY region_code
