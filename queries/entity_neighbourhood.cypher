// What is an entity connected to? Entities within `depth` steps, where one step joins two
// entities named in the same article or the same claim (about / attributed to); with the
// number of articles and claims they share directly.
//
// @param entity required  Entity id, name or alias (case-insensitive).
// @param depth  1         Steps between entities, 1-3.
// @param limit  100       Maximum number of rows.
//
// @example {entity: "DeepSeek", neighbour: "SemiAnalysis", type: "ORG", distance: 1,
//   shared_articles: 1, shared_claims: 1}
MATCH (e:Entity)
WHERE e.id = $entity OR toLower(e.name) = toLower($entity)
   OR toLower($entity) IN [alias IN coalesce(e.aliases, []) | toLower(alias)]
MATCH p = ANY SHORTEST (e)-[:MENTIONS|ABOUT|ATTRIBUTED_TO]-{1,6}(n:Entity)
WHERE n <> e AND length(p) <= 2 * $depth
RETURN e.name AS entity, n.name AS neighbour, n.type AS type, length(p) / 2 AS distance,
       COUNT { (e)<-[:MENTIONS]-(:Article)-[:MENTIONS]->(n) } AS shared_articles,
       COUNT { (e)<-[:ABOUT|ATTRIBUTED_TO]-(:Claim)-[:ABOUT|ATTRIBUTED_TO]->(n) } AS shared_claims
ORDER BY distance, shared_articles DESC, shared_claims DESC, neighbour
LIMIT $limit
