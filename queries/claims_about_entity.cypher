// What values have been reported about an entity, and how did they change over time?
// Every claim about the entity (optionally for one measure), oldest article first, with
// the value as stated (value, interval, qualifier, unit, rate), the time it refers to,
// its source and fact.
//
// @param entity  required  Entity id, name or alias (case-insensitive).
// @param measure null      Only this measure_key (e.g. "training_cost"); null = all measures.
// @param limit   200       Maximum number of rows.
//
// @example {entity: "DeepSeek", measure: "training_cost", published: "2025-01-28", value: 5600000.0,
//   low: 5600000.0, high: 5600000.0, qualifier: "exact", unit: "USD", per: null, time: null,
//   span: "5,6 Millionen US-Dollar", hedged: true, source: "Techblatt", fact: "fact-train", claim: "20a8..."}
MATCH (e:Entity)
WHERE e.id = $entity OR toLower(e.name) = toLower($entity)
   OR toLower($entity) IN [alias IN coalesce(e.aliases, []) | toLower(alias)]
MATCH (c:Claim)-[:ABOUT]->(e)
WHERE $measure IS NULL OR c.measure_key = $measure
MATCH (c)-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
OPTIONAL MATCH (c)-[:PART_OF]->(f:Fact)
RETURN e.name AS entity, c.measure_key AS measure, a.published AS published, c.value AS value,
       c.low AS low, c.high AS high, c.qualifier AS qualifier, c.unit AS unit, c.per AS per,
       c.time AS time, c.span AS span, c.hedged AS hedged, s.name AS source, f.id AS fact, c.id AS claim
ORDER BY measure, published, source, claim
LIMIT $limit
