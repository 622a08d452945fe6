-- countries: NUTS countries (level 0) with their latin names, for pickers
-- params: none
SELECT code, min(name_latn) AS name
FROM regions
WHERE level = 0 AND NOT is_unit
GROUP BY code
ORDER BY code
