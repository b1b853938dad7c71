// Which sources are most often contradicted or copied? Publishing sources ranked by the
// number of their claims that another claim contradicts plus the number of times their
// articles were copied; with claim counts, the contradicted share, and how many of their
// own articles copy someone else.
//
// @param limit 20  Maximum number of rows.
//
// @example {source: "Copyblog", claims: 2, contradicted_claims: 1, contradicted_share: 0.5,
//   times_copied: 0, copies_made: 1, score: 1}
MATCH (s:Source)
WHERE EXISTS { (s)<-[:PUBLISHED_BY]-(:Article) }
WITH s,
     COUNT { (s)<-[:PUBLISHED_BY]-(:Article)<-[:STATED_IN]-(:Claim) } AS claims,
     COUNT { MATCH (s)<-[:PUBLISHED_BY]-(:Article)<-[:STATED_IN]-(c:Claim)
             WHERE EXISTS { (c)-[:CONTRADICTS]-(:Claim) } RETURN c } AS contradicted_claims,
     COUNT { (s)<-[:PUBLISHED_BY]-(:Article)<-[:COPIES]-(:Article) } AS times_copied,
     COUNT { (s)<-[:PUBLISHED_BY]-(:Article)-[:COPIES]->(:Article) } AS copies_made
RETURN s.name AS source, claims, contradicted_claims,
       CASE WHEN claims = 0 THEN 0.0 ELSE round(toFloat(contradicted_claims) / claims, 3) END AS contradicted_share,
       times_copied, copies_made, contradicted_claims + times_copied AS score
ORDER BY score DESC, contradicted_share DESC, source
LIMIT $limit
