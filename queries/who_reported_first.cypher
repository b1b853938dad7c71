// Who reported a fact first, who followed, and who copied it? For each fact (or one):
// the source and article of its earliest claim, the other sources that reported it
// (earliest first), and the articles among them that copied another article of the fact.
//
// @param fact  null  Fact id; null = all facts reported by more than one source.
// @param limit 100   Maximum number of rows.
//
// @example {fact: "fact-idle", subject: "Rechenkapazitäten in China", measure: "idle_capacity",
//   first_source: "Marktecho", first_published: "2025-02-03", first_url: "https://marktecho.example/...",
//   later: [{source: "Copyblog", published: "2025-02-05"}],
//   copies: [{source: "Copyblog", copied: "Marktecho", similarity: 0.82}]}
MATCH (f:Fact)-[:FIRST_REPORTED_IN]->(first:Article)-[:PUBLISHED_BY]->(fs:Source)
WHERE $fact IS NULL OR f.id = $fact
WITH f, first, fs,
     COLLECT { MATCH (f)<-[:PART_OF]-(:Claim)-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
               WHERE a <> first
               WITH DISTINCT s, a ORDER BY a.published, s.name
               RETURN {source: s.name, published: a.published} } AS later,
     COLLECT { MATCH (f)<-[:PART_OF]-(:Claim)-[:STATED_IN]->(a:Article)-[r:COPIES]->(o:Article),
                     (a)-[:PUBLISHED_BY]->(s:Source), (o)-[:PUBLISHED_BY]->(os:Source)
               WHERE EXISTS { (f)<-[:PART_OF]-(:Claim)-[:STATED_IN]->(o) }
               WITH DISTINCT s, os, r ORDER BY s.name, os.name
               RETURN {source: s.name, copied: os.name, similarity: r.similarity} } AS copies
WHERE $fact IS NOT NULL OR size(later) > 0
RETURN f.id AS fact, f.subject AS subject, f.measure_key AS measure, fs.name AS first_source,
       first.published AS first_published, first.url AS first_url, later, copies
ORDER BY fact
LIMIT $limit
