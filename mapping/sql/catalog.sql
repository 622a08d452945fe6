-- catalog: indicators that have data, with unit, description, dimension, direction, levels, years and their source's title and vintage
-- params: none
SELECT c.indicator_id, c.label, c.unit, c.description, c.source_id, c.higher_is_better, c.dimension, c.additive,
       c.reference_period, c.nuts_version, c.levels, c.min_year, c.max_year, c.n_regions,
       s.title AS source_title, s.publisher, s.vintage, s.attribution
FROM indicator_catalog c
JOIN sources s USING (source_id)
WHERE c.max_year IS NOT NULL
ORDER BY c.source_id, c.dimension, c.indicator_id
