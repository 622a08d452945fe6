-- related_density: relatedness density of every region x sector of a sector set in a year (see the relatedness_density macro), with region names and NACE labels
-- params: $sector_set, $year
SELECT d.region_code, r.name_latn AS name, d.country, d.sector, n.label, d.density, d.specialised, d.persons, d.lq,
       d.nuts_version
FROM relatedness_density($sector_set, $year) d
JOIN regions r ON r.code = d.region_code AND r.nuts_version = d.nuts_version
JOIN nace n ON n.code = d.sector
ORDER BY d.region_code, d.sector
