"""What the record holds, in numbers and a few examples: the end-of-run summary.

A plain dict so that `--json` prints it as is and the table renderer in the
CLI only formats it.
"""
from __future__ import annotations

import json
import sqlite3

from graph import store


def summarize(conn: sqlite3.Connection, examples: int = 3) -> dict:
    c = store.counts(conn)
    flag_counts = {r["kind"]: r["n"] for r in conn.execute(
        "SELECT kind, COUNT(*) AS n FROM flags GROUP BY kind ORDER BY kind")}
    verdicts = {r["verdict"]: r["n"] for r in conn.execute(
        "SELECT verdict, COUNT(*) AS n FROM facts GROUP BY verdict ORDER BY verdict")}
    return {
        "counts": {**c, "flags_by_kind": flag_counts, "facts_by_verdict": verdicts},
        "examples": {
            "entities": [dict(r) for r in conn.execute(
                """SELECT e.name, e.type, COUNT(DISTINCT m.article_id) AS articles
                   FROM entities e JOIN mentions m ON m.entity_id = e.id
                   GROUP BY e.id ORDER BY articles DESC, e.name LIMIT ?""", (examples,))],
            "claims": [_claim(r) for r in conn.execute(
                """SELECT c.span, c.value, c.unit, c.qualifier, c.measure_key, c.attributed_to,
                          c.hedged, s.name AS source
                   FROM claims c JOIN articles a ON a.id = c.article_id
                   JOIN sources s ON s.id = a.source_id
                   ORDER BY (c.attributed_to != '[]') DESC, c.hedged DESC, a.published, c.idx
                   LIMIT ?""", (examples,))],
            "attributions": [_claim(r) for r in conn.execute(
                """SELECT c.span, c.value, c.unit, c.qualifier, c.measure_key, c.attributed_to,
                          c.hedged, s.name AS source
                   FROM claims c JOIN articles a ON a.id = c.article_id
                   JOIN sources s ON s.id = a.source_id
                   WHERE c.attributed_to != '[]' ORDER BY a.published, c.idx LIMIT ?""",
                (examples,))],
            "facts": [dict(r) for r in conn.execute(
                """SELECT f.id, f.subject, f.measure_key, f.unit, f.verdict,
                          COUNT(m.claim_id) AS claims
                   FROM facts f JOIN fact_members m ON m.fact_id = f.id
                   GROUP BY f.id HAVING claims > 1
                   ORDER BY claims DESC, f.id LIMIT ?""", (examples,))],
            "contradictions": [dict(r) for r in conn.execute(
                "SELECT id, severity, reason FROM flags WHERE kind = 'contradiction' "
                "ORDER BY severity, id LIMIT ?", (examples,))],
        },
    }


def _claim(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["attributed_to"] = json.loads(d["attributed_to"])
    d["hedged"] = bool(d["hedged"])
    return d
