-- commission_cluster_count: the Commission's count of strong regional clusters, with the document it comes from (programme facts table)
-- params: none
SELECT fact, value, source FROM escp_programmes WHERE programme = 'Regional clusters' AND fact = 'strong regional clusters'
