-- country_population: population in millions per country, latest year, from the European Innovation Scoreboard (structural indicator 5.6.1: EIS 2025 in persons, preferred; EIS 2023 in millions)
-- params: none
WITH pop AS (
    SELECT region_code, year, value / 1e6 AS population_m, source_id, 0 AS pref
    FROM indicators WHERE indicator_id = 'eis2025.5.6.1' AND nuts_version <> 'aggregate' AND value IS NOT NULL
    UNION ALL
    SELECT region_code, year, value, source_id, 1
    FROM indicators WHERE indicator_id = 'eis.5.6.1' AND nuts_version <> 'aggregate' AND value IS NOT NULL
)
SELECT region_code AS country, arg_min(year, (pref, -year)) AS year,
       arg_min(population_m, (pref, -year)) AS population_m, arg_min(source_id, (pref, -year)) AS source_id
FROM pop
GROUP BY region_code
ORDER BY region_code
