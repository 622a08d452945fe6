-- escp_partnership_list: one row per partnership with coordinator, theme, target markets, members expected (as recorded and as a number) and listed, and its source
-- params: none
SELECT programme, generation, period, acronym, name, coordinator, coordinator_country, sector_theme, target_markets,
       members_expected, members_expected_text, members_listed, source_url, note
FROM escp_partnerships
ORDER BY programme, generation, acronym
