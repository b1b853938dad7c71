// Where does a claim come from? For one claim: its publisher and article, who it is
// attributed to (names as stated and linked entities), what the article cites, the
// articles it copied (directly or through up to three copies) and that copied it, the
// claim it converts, and the first reporter of its fact.
//
// @param claim_id required  The claim's id (see lookup output or contradictions.cypher).
//
// @example {claim: "9c1e...", span: "Bis zu 80 Prozent", value: 80.0, unit: "percent",
//   sentence: "Bis zu 80 Prozent der ...", publisher: "Copyblog", article: "5f2c...",
//   url: "https://copyblog.example/ki-blase", published: "2025-02-05", attributed_to: [],
//   attributed_entities: [], citations: [{source: "Marktecho", kind: "source_line", text: "Quelle: Marktecho"}],
//   copied_from: [{source: "Marktecho", article: "77b0...", hops: 1, similarity: 0.82}], copied_by: [],
//   converts: null, fact: "fact-idle", first_reporter: "Marktecho", first_published: "2025-02-03",
//   first_article: "77b0...", is_first_report: false}
MATCH (c:Claim {id: $claim_id})-[:STATED_IN]->(a:Article)-[:PUBLISHED_BY]->(s:Source)
OPTIONAL MATCH (c)-[:PART_OF]->(f:Fact)
OPTIONAL MATCH (f)-[:FIRST_REPORTED_IN]->(fa:Article)-[:PUBLISHED_BY]->(fs:Source)
OPTIONAL MATCH (c)-[:CONVERTS]->(orig:Claim)
RETURN c.id AS claim, c.span AS span, c.value AS value, c.unit AS unit, c.text AS sentence,
       s.name AS publisher, a.id AS article, a.url AS url, a.published AS published,
       c.attributed_to AS attributed_to,
       COLLECT { MATCH (c)-[:ATTRIBUTED_TO]->(e:Entity) RETURN e.name AS name ORDER BY name } AS attributed_entities,
       COLLECT { MATCH (a)-[r:CITES]->(x:Source)
                 WITH x, r ORDER BY x.name
                 RETURN {source: x.name, kind: r.kind, text: r.text} } AS citations,
       COLLECT { MATCH p = (a)-[:COPIES*1..3]->(o:Article)
                 MATCH (o)-[:PUBLISHED_BY]->(os:Source)
                 WITH o, os, p ORDER BY length(p)
                 WITH o, os, head(collect(p)) AS shortest
                 ORDER BY length(shortest), os.name
                 RETURN {source: os.name, article: o.id, hops: length(shortest),
                         similarity: last(relationships(shortest)).similarity} } AS copied_from,
       COLLECT { MATCH (o:Article)-[r:COPIES]->(a), (o)-[:PUBLISHED_BY]->(os:Source)
                 WITH o, os, r ORDER BY os.name
                 RETURN {source: os.name, article: o.id, similarity: r.similarity} } AS copied_by,
       orig.span AS converts, f.id AS fact, fs.name AS first_reporter, fa.published AS first_published,
       fa.id AS first_article, fa.id = a.id AS is_first_report
ORDER BY fact
