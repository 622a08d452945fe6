-- scoreboard_units: derived map units (RCI capital areas, old split regions, boundary groups) and their NUTS 2021 member regions
-- params: none
SELECT unit_code, unit_version, member_code, method FROM region_units ORDER BY unit_code, member_code
