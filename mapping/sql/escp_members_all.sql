-- escp_members_all: every recorded member row (and partnership-level fact row) with its partnership's coordinator, theme and completeness, as recorded
-- params: none
SELECT m.programme, m.generation, m.period, m.partnership_acronym, m.partnership_name, m.member_organisation,
       m.member_country, m.role, m.source_url, m.note, m.member_country_source, m.completeness, m.line
FROM escp_members m
ORDER BY m.programme, m.generation, m.partnership_acronym, m.line
