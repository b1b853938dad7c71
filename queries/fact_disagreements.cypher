// Which sources disagree about X? Full-text search over claim wording (index claim_text:
// sentence, measure, span, subject; every word also matches as a prefix), then the
// contradicting claim pairs of the facts found, most relevant fact first.
//
// @param query required  Words to search for, e.g. "DeepSeek Training"; Lucene operators are ignored.
// @param limit 50        Maximum number of rows.
//
// @example {fact: "fact-train", subject: "DeepSeek", measure: "training_cost", source_a: "Copyblog",
//   value_a: "12 Millionen US-Dollar", published_a: "2025-02-05", source_b: "Techblatt",
//   value_b: "5,6 Millionen US-Dollar", published_b: "2025-01-28", severity: "high",
//   reason: "5.6 M USD vs 12 M USD for the same training run"}
WITH [w IN split(reduce(q = toLower($query),
                        ch IN ['\\', '+', '-', '&', '|', '!', '(', ')', '{', '}', '[', ']', '^', '"', '~', '*', '?', ':', '/', ',', '.', ';']
                        | replace(q, ch, ' ')), ' ')
      WHERE w <> '' AND NOT w IN ['and', 'or', 'not'] | '(' + w + ' OR ' + w + '*)'] AS words
WHERE size(words) > 0
CALL db.index.fulltext.queryNodes('claim_text', reduce(s = '', w IN words | s + ' ' + w), {limit: 500})
  YIELD node, score
MATCH (node)-[:PART_OF]->(f:Fact)
WITH f, max(score) AS relevance
MATCH (f)<-[:PART_OF]-(a:Claim)-[r:CONTRADICTS]->(b:Claim)-[:PART_OF]->(f)
MATCH (a)-[:STATED_IN]->(aa:Article)-[:PUBLISHED_BY]->(sa:Source)
MATCH (b)-[:STATED_IN]->(ab:Article)-[:PUBLISHED_BY]->(sb:Source)
RETURN f.id AS fact, f.subject AS subject, f.measure_key AS measure,
       sa.name AS source_a, a.span AS value_a, aa.published AS published_a,
       sb.name AS source_b, b.span AS value_b, ab.published AS published_b,
       r.severity AS severity, r.reason AS reason
ORDER BY relevance DESC, fact, source_a, source_b
LIMIT $limit
