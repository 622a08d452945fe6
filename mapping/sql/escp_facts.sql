-- escp_facts: programme-level figures with the web page or document each comes from
-- params: none
SELECT programme, generation, fact, value, source, source_kind FROM escp_programmes ORDER BY programme, generation, fact
