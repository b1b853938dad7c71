// Which sources disclose AI-generated text, and which hedge their numbers most?
// Publishing sources with at least one article that discloses AI generation (or was
// flagged ai_generated) or one hedged claim ("angeblich", "reportedly"), ranked by AI
// articles, then by the share of hedged claims.
//
// @param limit 20  Maximum number of rows.
//
// @example {source: "Copyblog", articles: 1, ai_articles: 1, claims: 2, hedged_claims: 1, hedged_share: 0.5}
MATCH (s:Source)<-[:PUBLISHED_BY]-(a:Article)
WITH s, count(a) AS articles,
     count(CASE WHEN a.ai_disclosure IS NOT NULL
                  OR EXISTS { (:Flag {kind: 'ai_generated'})-[:FLAGS]->(a) } THEN 1 END) AS ai_articles
WITH s, articles, ai_articles,
     COUNT { (s)<-[:PUBLISHED_BY]-(:Article)<-[:STATED_IN]-(:Claim) } AS claims,
     COUNT { (s)<-[:PUBLISHED_BY]-(:Article)<-[:STATED_IN]-(:Claim {hedged: true}) } AS hedged_claims
WHERE ai_articles > 0 OR hedged_claims > 0
RETURN s.name AS source, articles, ai_articles, claims, hedged_claims,
       CASE WHEN claims = 0 THEN 0.0 ELSE round(toFloat(hedged_claims) / claims, 3) END AS hedged_share
ORDER BY ai_articles DESC, hedged_share DESC, source
LIMIT $limit
