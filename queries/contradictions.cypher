// Which claims contradict each other? Every contradicting pair of claims (one row a pair),
// with both values, their sources and publication dates, the fact they belong to and
// why linking judged them contradictory; optionally only pairs where either claim is
// about one entity. Highest severity first.
//
// @param entity null  Entity id, name or alias (case-insensitive); null = all entities.
// @param limit  100   Maximum number of rows.
//
// @example {fact: "fact-train", subject: "DeepSeek", measure: "training_cost", severity: "high",
//   reason: "5.6 M USD vs 12 M USD for the same training run", claim_a: "9c1e...", span_a: "12 Millionen US-Dollar",
//   value_a: 12000000.0, unit_a: "USD", source_a: "Copyblog", published_a: "2025-02-05",
//   claim_b: "20a8...", span_b: "5,6 Millionen US-Dollar", value_b: 5600000.0, unit_b: "USD",
//   source_b: "Techblatt", published_b: "2025-01-28"}
MATCH (a:Claim)-[r:CONTRADICTS]->(b:Claim)
WHERE $entity IS NULL OR EXISTS {
  MATCH (x:Claim)-[:ABOUT]->(e:Entity)
  WHERE (x = a OR x = b)
    AND (e.id = $entity OR toLower(e.name) = toLower($entity)
         OR toLower($entity) IN [alias IN coalesce(e.aliases, []) | toLower(alias)])
}
MATCH (a)-[:STATED_IN]->(aa:Article)-[:PUBLISHED_BY]->(sa:Source)
MATCH (b)-[:STATED_IN]->(ab:Article)-[:PUBLISHED_BY]->(sb:Source)
OPTIONAL MATCH (a)-[:PART_OF]->(f:Fact)
RETURN f.id AS fact, coalesce(f.subject, a.subject) AS subject, coalesce(f.measure_key, a.measure_key) AS measure,
       r.severity AS severity, r.reason AS reason,
       a.id AS claim_a, a.span AS span_a, a.value AS value_a, a.unit AS unit_a,
       sa.name AS source_a, aa.published AS published_a,
       b.id AS claim_b, b.span AS span_b, b.value AS value_b, b.unit AS unit_b,
       sb.name AS source_b, ab.published AS published_b
ORDER BY CASE r.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
         fact, claim_a, claim_b
LIMIT $limit
