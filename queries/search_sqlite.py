"""The lookup's SQLite backend: FTS5 table `claim_search`, in-memory claim vectors, the record.

It answers the narrow questions of `queries.lookup.SearchBackend`; scoring and
grouping are done by `queries.lookup` so that the Neo4j backend gives the same answer.
"""
from __future__ import annotations

import json
import sqlite3

import numpy as np

from queries.lookup import ClaimHit, FactMeta, FlagHit, claim_hit
from queries.search_index import claim_search_rows
from queries.search_text import SearchDoc, probe_pairs
from queries.vectors import ClaimVectors

CHUNK = 500  # ids per IN (...) list, well below SQLite's parameter limit


def _chunks(ids: list[str]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteBackend:
    syntax = "fts5"

    def __init__(self, conn: sqlite3.Connection, vectors: ClaimVectors | None = None):
        self.conn = conn
        self.vecs = vectors

    def probe(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        def has_term(t: str) -> bool:
            return self.conn.execute("SELECT 1 FROM claim_search_vocab WHERE term = ?", (t,)).fetchone() is not None

        def has_prefix(p: str) -> bool:
            return self.conn.execute("SELECT 1 FROM claim_search_vocab WHERE term >= ? AND term < ? LIMIT 1",
                                     (p, _prefix_end(p))).fetchone() is not None
        return probe_pairs(pairs, has_term, has_prefix)

    def lexical_sets(self, expressions: list[str], cap: int, tops: list[int]) -> list[list[SearchDoc]]:
        """Each expression's matches: all of them, or its `tops[i]` newest when more than `cap` match."""
        return [found if (found := self.lexical_set(e, cap)) is not None else self.lexical_top(e, top)
                for e, top in zip(expressions, tops)]

    def lexical_set(self, expression: str, cap: int) -> list[SearchDoc] | None:
        """Every matching claim, or None when more than `cap` match (rowids first: no text read)."""
        rowids = [r[0] for r in self.conn.execute(
            "SELECT rowid FROM claim_search WHERE claim_search MATCH ? LIMIT ?", (expression, cap + 1))]
        if len(rowids) > cap:
            return None
        if not rowids:
            return []
        rows = self.conn.execute(
            f"SELECT claim_id, head, body FROM claim_search WHERE rowid IN ({_marks(len(rowids))})",
            rowids).fetchall()
        return [SearchDoc(r[0], r[1], r[2]) for r in rows]

    def lexical_top(self, expression: str, k: int) -> list[SearchDoc]:
        """k of a large match set: the newest claims (highest rowids).

        Only asked for sets too large to take whole; ranking them by bm25 would
        cost ~7 us per match (70 ms at 10,000), reading the doclist backwards
        costs nothing extra, and the candidates are rescored afterwards anyway.
        """
        if k <= 0:
            return []
        rows = self.conn.execute(
            "SELECT claim_id, head, body FROM claim_search WHERE claim_search MATCH ? "
            "ORDER BY rowid DESC LIMIT ?", (expression, k)).fetchall()
        return [SearchDoc(r[0], r[1], r[2]) for r in rows]

    def docs(self, ids: list[str]) -> list[SearchDoc]:
        """Indexed texts of `ids`: by rowid from the FTS table, recomputed if a row is missing."""
        out, missing = [], []
        for chunk in _chunks(list(ids)):
            found = {}
            for cid, sid, head, body in self.conn.execute(
                f"""SELECT c.id, s.claim_id, s.head, s.body FROM claims c
                    LEFT JOIN claim_search s ON s.rowid = c.rowid WHERE c.id IN ({_marks(len(chunk))})""",
                chunk):
                if sid == cid:
                    found[cid] = SearchDoc(cid, head, body)
            out.extend(found.values())
            missing.extend(i for i in chunk if i not in found)
        if missing:
            out.extend(SearchDoc(r.claim_id, r.head, r.body)
                       for r in claim_search_rows(self.conn, claim_ids=missing))
        return out

    def nearest(self, query: np.ndarray, k: int) -> list[str]:
        return self.vecs.nearest(self.conn, query, k) if self.vecs is not None else []

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        return self.vecs.vectors(self.conn, ids) if self.vecs is not None else {}

    def facts_of(self, claim_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in _chunks(claim_ids):
            for cid, fid in self.conn.execute(
                f"SELECT claim_id, fact_id FROM fact_members WHERE claim_id IN ({_marks(len(chunk))}) "
                "ORDER BY claim_id, fact_id", chunk):
                out.setdefault(cid, []).append(fid)
        return out

    def details(self, fact_ids: list[str], claim_ids: list[str]
                ) -> tuple[dict[str, tuple[FactMeta, list[str]]], dict[str, ClaimHit], list[FlagHit]]:
        """The facts with their member ids, and the details and flags of those members and `claim_ids`."""
        members = self.fact_members(fact_ids)
        wanted = set(claim_ids).union(*(ids for _, ids in members.values()))
        return members, self.claims(sorted(wanted)), self.flags(sorted(wanted))

    def fact_members(self, fact_ids: list[str]) -> dict[str, tuple[FactMeta, list[str]]]:
        out: dict[str, tuple[FactMeta, list[str]]] = {}
        for chunk in _chunks(fact_ids):
            for r in self.conn.execute(
                f"SELECT id, subject, measure_key, unit, verdict FROM facts WHERE id IN ({_marks(len(chunk))})",
                chunk):
                out[r[0]] = (FactMeta(r[0], r[1], r[2], r[3], r[4]), [])
            for fid, cid in self.conn.execute(
                f"SELECT fact_id, claim_id FROM fact_members WHERE fact_id IN ({_marks(len(chunk))}) "
                "ORDER BY fact_id, claim_id", chunk):
                if fid in out:
                    out[fid][1].append(cid)
        return out

    def claims(self, claim_ids: list[str]) -> dict[str, ClaimHit]:
        out = {}
        for chunk in _chunks(claim_ids):
            for r in self.conn.execute(
                f"""SELECT c.id AS claim_id, c.value, c.low, c.high, c.qualifier, c.unit, c.per,
                           c.span, c.sentence AS text, c.subject, c.measure, c.measure_key, c.time,
                           c.hedged, c.attributed_to, c.lang, a.id AS article_id, a.url, a.title,
                           a.published, s.id AS source_id, s.name AS source
                    FROM claims c JOIN articles a ON a.id = c.article_id
                    JOIN sources s ON s.id = a.source_id
                    WHERE c.id IN ({_marks(len(chunk))})""", chunk):
                row = dict(r)
                row["attributed_to"] = json.loads(row["attributed_to"] or "[]")
                out[row["claim_id"]] = claim_hit(row)
        return out

    def flags(self, claim_ids: list[str]) -> list[FlagHit]:
        found: dict[str, FlagHit] = {}
        for chunk in _chunks(claim_ids):
            marks = _marks(len(chunk))
            for r in self.conn.execute(
                f"""SELECT id, kind, severity, reason, claim_a, claim_b FROM flags
                    WHERE claim_a IN ({marks}) OR claim_b IN ({marks})""", chunk + chunk):
                claims = sorted({c for c in (r[4], r[5]) if c})
                found[r[0]] = FlagHit(r[0], r[1], r[2], r[3], claims)
        return sorted(found.values(), key=lambda f: (f.kind, f.flag_id))


def _prefix_end(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
