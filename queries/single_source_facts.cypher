// Which facts rest on a single source? Facts whose claims all come from one publisher,
// or from one original publisher plus outlets whose article copied another article of
// the same fact (copies are not independent confirmation).
//
// @param limit 100  Maximum number of rows.
//
// @example {fact: "fact-idle", subject: "Rechenkapazitäten in China", measure: "idle_capacity",
//   verdict: "consistent", independent_source: "Marktecho", sources: ["Copyblog", "Marktecho"], claims: 2}
MATCH (f:Fact)<-[:PART_OF]-(c:Claim)-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
WITH f, collect(DISTINCT a) AS articles, collect(DISTINCT s.name) AS sources, count(DISTINCT c) AS claims
WITH f, sources, claims,
     COLLECT { UNWIND articles AS o
               MATCH (o)-[:PUBLISHED_BY]->(os:Source)
               WHERE NOT EXISTS { MATCH (o)-[:COPIES]->(orig:Article) WHERE orig IN articles }
               RETURN DISTINCT os.name AS name ORDER BY name } AS independent
WHERE size(independent) = 1
RETURN f.id AS fact, f.subject AS subject, f.measure_key AS measure, f.verdict AS verdict,
       independent[0] AS independent_source,
       COLLECT { UNWIND sources AS name RETURN name ORDER BY name } AS sources, claims
ORDER BY fact
LIMIT $limit
