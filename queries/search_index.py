"""The record's full-text index of claims (SQLite FTS5 table `claim_search`).

Why a rebuild function and not triggers: a claim's searchable text includes the
names of the entities linking attaches to it later (canonical names, aliases),
so the index must be refreshed after linking anyway; and the record's
migration runner takes plain statements only. The pipeline calls
`refresh_search_index` after the NLP and linking stages; `ensure_search_index`
(called when a lookup index is opened) rebuilds it when the record changed
since the last refresh, so a forgotten refresh costs time, never wrong answers.

The same `claim_search_rows` feed the Neo4j projection (`search_head` /
`search_body` on :Claim), so both lookups search identical token strings.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterator, NamedTuple

from graph.record import transaction
from graph.store import claim_filter, now_iso
from queries.search_text import claim_search_fields, entity_names_from_json

CLAIM_SEARCH_SQL = """
SELECT c.rowid AS rid, c.id, c.article_id, c.sentence, c.span, c.subject, c.measure, c.measure_key, c.entities,
       c.attributed_to,
       (SELECT group_concat(e.name || ' ' || e.aliases, ' ')
          FROM claim_entities ce JOIN entities e ON e.id = ce.entity_id
         WHERE ce.claim_id = c.id) AS linked_names
FROM claims c
"""


class SearchRow(NamedTuple):
    claim_id: str
    article_id: str
    rowid: int          # the claim's rowid in `claims`, reused as its rowid in `claim_search`
    head: str
    body: str


def claim_search_rows(conn: sqlite3.Connection, article_ids: list[str] | None = None,
                      chunk: int = 5000, claim_ids: list[str] | None = None) -> Iterator[SearchRow]:
    """The searchable text of every claim, or of `article_ids` / `claim_ids`, in claim id order."""
    where, params = claim_filter(article_ids, claim_ids)
    cur = conn.execute(f"{CLAIM_SEARCH_SQL}{where} ORDER BY c.id", params)
    while True:
        rows = cur.fetchmany(chunk)
        if not rows:
            return
        for r in rows:
            head, body = claim_search_fields(
                sentence=r["sentence"], span=r["span"], subject=r["subject"], measure=r["measure"],
                measure_key=r["measure_key"],
                entity_names=entity_names_from_json(r["entities"], r["linked_names"]),
                attributed_to=json.loads(r["attributed_to"] or "[]"),
            )
            yield SearchRow(r["id"], r["article_id"], r["rid"], head, body)


def record_fingerprint(conn: sqlite3.Connection) -> str:
    """Changes whenever claims or entity links change (counts and the newest rowids)."""
    parts = conn.execute(
        """SELECT (SELECT COUNT(*) FROM claims), (SELECT MAX(rowid) FROM claims),
                  (SELECT COUNT(*) FROM claim_entities), (SELECT MAX(rowid) FROM claim_entities),
                  (SELECT COUNT(*) FROM entities), (SELECT MAX(rowid) FROM entities)"""
    ).fetchone()
    return ":".join(str(p) for p in parts)


def refresh_search_index(conn: sqlite3.Connection, article_ids: list[str] | None = None,
                         batch: int = 5000) -> int:
    """(Re)build the FTS rows of all claims, or only of `article_ids`; return rows written.

    Runs in one transaction, so a concurrent lookup sees the old or the new index.
    """
    written = 0
    with transaction(conn):
        if article_ids is None:
            conn.execute("DELETE FROM claim_search")
        else:
            conn.executemany("DELETE FROM claim_search WHERE article_id = ?",
                             [(a,) for a in article_ids])
        rows: list[SearchRow] = []
        for row in claim_search_rows(conn, article_ids):
            rows.append(row)
            if len(rows) >= batch:
                written += _insert(conn, rows)
                rows = []
        written += _insert(conn, rows)
        conn.execute(
            "INSERT OR REPLACE INTO claim_search_state(id, fingerprint, built_at) VALUES (1, ?, ?)",
            (record_fingerprint(conn), now_iso()),
        )
    return written


def _insert(conn: sqlite3.Connection, rows: list[SearchRow]) -> int:
    # rowid = the claim's rowid, so a claim's indexed text is one rowid lookup away
    conn.executemany(
        "INSERT OR REPLACE INTO claim_search(rowid, claim_id, article_id, head, body) VALUES (?,?,?,?,?)",
        [(r.rowid, r.claim_id, r.article_id, r.head, r.body) for r in rows])
    return len(rows)


def ensure_search_index(conn: sqlite3.Connection) -> bool:
    """Rebuild the index if claims or entity links changed since it was built; True if rebuilt."""
    row = conn.execute("SELECT fingerprint FROM claim_search_state WHERE id = 1").fetchone()
    if row is not None and row[0] == record_fingerprint(conn):
        return False
    refresh_search_index(conn)
    return True
