"""Reading and writing articles, analyses and failures in the record.

Every write here is idempotent: ids are derived from content (sha1 of the
canonical URL for articles, of content hash + offsets for claims), and an
article's NLP results are replaced as one transaction, so re-running a stage
adds no duplicates and an interrupted run leaves either the old or the new
state of an article, never half of it.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Iterable

from graph.record import transaction
from graph.types import ArticleRecord, ClaimRecord
from ingest.types import Document
from nlp.types import Analysis, Citation, Claim, EntityMention


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def sha1(*parts: object) -> str:
    h = hashlib.sha1()
    for p in parts:
        h.update(str(p).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def article_id_for(canonical_url: str) -> str:
    return sha1(canonical_url)[:16]


def claim_id_for(content_hash: str, start: int, end: int) -> str:
    return sha1(content_hash, start, end)[:16]


def source_id_for(name: str) -> str:
    return name.strip().lower()


# -- articles ---------------------------------------------------------------

def save_document(conn: sqlite3.Connection, doc: Document) -> tuple[str, bool]:
    """Store one extracted document; return (article_id, needs_analysis).

    An article whose content hash is unchanged and already analyzed is left
    alone (needs_analysis False), so re-ingesting a folder changes nothing.
    """
    article_id = article_id_for(doc.canonical_url)
    source_id = source_id_for(doc.source)
    with transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO sources(id, name, domain, first_seen) VALUES (?,?,?,?)",
            (source_id, doc.source, _domain(doc.canonical_url), now_iso()),
        )
        row = conn.execute(
            "SELECT content_hash, analyzed_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is not None and row["content_hash"] == doc.content_hash:
            return article_id, row["analyzed_hash"] != doc.content_hash
        conn.execute(
            """INSERT INTO articles(id, url, canonical_url, source_id, title, author, published,
                   fetched_at, ingested_at, language, text, content_hash, status, raw_bytes)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?, 'ingested', ?)
               ON CONFLICT(id) DO UPDATE SET url=excluded.url, source_id=excluded.source_id,
                   title=excluded.title, author=excluded.author, published=excluded.published,
                   fetched_at=excluded.fetched_at, ingested_at=excluded.ingested_at,
                   language=excluded.language, text=excluded.text,
                   content_hash=excluded.content_hash, status='ingested', error=NULL,
                   raw_bytes=excluded.raw_bytes""",
            (article_id, doc.url, doc.canonical_url, source_id, doc.title, doc.author,
             doc.published, doc.fetched_at, now_iso(), doc.language, doc.text,
             doc.content_hash, doc.raw_bytes),
        )
        conn.execute("DELETE FROM links WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT OR IGNORE INTO links(article_id, href, anchor) VALUES (?,?,?)",
            [(article_id, href, anchor) for anchor, href in doc.links],
        )
        conn.execute("DELETE FROM input_failures WHERE input IN (?, ?)", (doc.url, doc.canonical_url))
    return article_id, True


def pending_articles(conn: sqlite3.Connection, rules: str | None = None) -> list[sqlite3.Row]:
    """Articles whose current text has not been analyzed yet (new, changed or interrupted), and,
    given the NLP stage's `rules` (nlp.config.rules_signature), those analyzed by other rules.

    `stale_rules` is 1 for the latter: their text is unchanged, only the rules are newer.
    """
    return conn.execute(
        """SELECT id, text, language, content_hash,
                  (analyzed_hash = content_hash) AS stale_rules FROM articles
           WHERE analyzed_hash IS NULL OR analyzed_hash != content_hash
              OR (? IS NOT NULL AND analyzed_rules IS NOT ?)
           ORDER BY ingested_at, id""", (rules, rules)
    ).fetchall()


def save_analysis(conn: sqlite3.Connection, article_id: str, content_hash: str,
                  analysis: Analysis, rules: str | None = None) -> list[str]:
    """Replace an article's mentions, claims and citations with `analysis`; return claim ids.

    `rules`: the signature of the NLP rules that made it (nlp.config.rules_signature).
    """
    claim_ids = [claim_id_for(content_hash, c.start, c.end) for c in analysis.claims]
    with transaction(conn):
        conn.execute("DELETE FROM claims WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM citations WHERE article_id = ?", (article_id,))
        conn.executemany(
            """INSERT OR IGNORE INTO mentions(article_id, start, end, text, label, canonical, kb_id)
               VALUES (?,?,?,?,?,?,?)""",
            [(article_id, m.start, m.end, m.text, m.label, m.canonical, m.kb_id)
             for m in analysis.mentions],
        )
        rows = []
        for i, (cid, c) in enumerate(zip(claim_ids, analysis.claims)):
            conv = claim_ids[c.conversion_of] if c.conversion_of is not None else None
            rows.append((
                cid, article_id, i, c.text, c.start, c.end, c.span, c.value, c.low, c.high,
                c.qualifier, c.unit, c.per, c.subject, c.measure, c.measure_key, c.time,
                getattr(c, "time_key", None), json.dumps(c.attributed_to, ensure_ascii=False),
                int(c.hedged), c.lang, c.sentence_index, c.sentence_start, c.change, conv,
                json.dumps([asdict(e) for e in c.entities], ensure_ascii=False),
            ))
        conn.executemany(
            """INSERT OR REPLACE INTO claims(id, article_id, idx, sentence, start, end, span, value,
                   low, high, qualifier, unit, per, subject, measure, measure_key, time, time_key,
                   attributed_to, hedged, lang, sentence_index, sentence_start, change,
                   conversion_of, entities)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            rows,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO citations(article_id, kind, target, text, start) VALUES (?,?,?,?,?)",
            [(article_id, c.kind, c.target, c.text, c.start) for c in analysis.citations],
        )
        conn.execute(
            """UPDATE articles SET analyzed_hash = ?, analyzed_rules = ?, status = 'analyzed', error = NULL,
                   ai_disclosure = ?, language = ? WHERE id = ?""",
            (content_hash, rules, analysis.ai_disclosure, analysis.lang, article_id),
        )
    return claim_ids


def mark_article_failed(conn: sqlite3.Connection, article_id: str, message: str) -> None:
    conn.execute("UPDATE articles SET status = 'failed', error = ? WHERE id = ?", (message, article_id))


def record_failure(conn: sqlite3.Connection, input_name: str, reason: str, message: str) -> None:
    """Remember that an input failed, with why; counted across runs, never losing stored data."""
    conn.execute(
        """INSERT INTO input_failures(input, reason, message, attempts, last_seen) VALUES (?,?,?,1,?)
           ON CONFLICT(input) DO UPDATE SET reason=excluded.reason, message=excluded.message,
               attempts=input_failures.attempts + 1, last_seen=excluded.last_seen""",
        (input_name, reason, message, now_iso()),
    )


# -- reading for the cross-article stage ------------------------------------

CLAIM_SELECT = """
    SELECT c.id, c.article_id, a.url, a.published, a.author, s.name,
           c.sentence, c.start, c.end, c.span, c.value, c.low, c.high, c.qualifier, c.unit, c.per,
           c.subject, c.measure, c.measure_key, c.entities, c.time, c.attributed_to, c.hedged, c.lang,
           c.sentence_index, c.sentence_start, c.change
    FROM claims c JOIN articles a ON a.id = c.article_id JOIN sources s ON s.id = a.source_id
"""


def _record_from_row(row: tuple, mentions: dict[str, list[dict]]) -> ClaimRecord:
    """A row of CLAIM_SELECT as a ClaimRecord. Plain tuples, not sqlite3.Row: a fact's judge
    reads tens of thousands of claims. `mentions` memoizes the parsed entity lists, which
    the claims of one sentence share (each claim still gets its own objects)."""
    (claim_id, article_id, url, published, author, source, sentence, start, end, span, value, low, high,
     qualifier, unit, per, subject, measure, measure_key, entities, time, attributed_to, hedged, lang,
     sentence_index, sentence_start, change) = row
    parsed = mentions.get(entities)
    if parsed is None:
        parsed = mentions[entities] = json.loads(entities)
    claim = Claim(
        text=sentence, start=start, end=end, span=span, value=value, low=low, high=high,
        qualifier=qualifier, unit=unit, per=per, subject=subject, measure=measure,
        measure_key=measure_key, entities=[EntityMention(**e) for e in parsed], time=time,
        attributed_to=json.loads(attributed_to), hedged=bool(hedged), lang=lang,
        sentence_index=sentence_index, sentence_start=sentence_start, change=change,
        conversion_of=None,
    )
    return ClaimRecord(claim_id=claim_id, article_id=article_id, source=source, url=url,
                       published=published, author=author, claim=claim)


def claim_filter(article_ids: Iterable[str] | None = None, claim_ids: Iterable[str] | None = None
                 ) -> tuple[str, list[str]]:
    """(" WHERE ..." or "", parameters) selecting the claims (table alias `c`) of `article_ids`,
    else those with `claim_ids`, else all of them."""
    if article_ids is not None:
        ids = list(article_ids)
        return f" WHERE c.article_id IN ({','.join('?' * len(ids))})", ids
    if claim_ids is not None:
        ids = list(claim_ids)
        return f" WHERE c.id IN ({','.join('?' * len(ids))})", ids
    return "", []


def load_claim_records(conn: sqlite3.Connection, article_ids: list[str] | None = None,
                       claim_ids: list[str] | None = None) -> list[ClaimRecord]:
    """Claims with their article's provenance, in a stable order (article, position).

    All claims, those of `article_ids`, or those with `claim_ids` (one of the two).
    `conversion_of` of the returned Claim is left None: the link between a
    conversion and its original is kept by id in `ClaimRecord`-level data via
    `conversion_links`.
    """
    where, params = claim_filter(article_ids, claim_ids)
    rows = conn.cursor()
    rows.row_factory = None
    mentions: dict[str, list[dict]] = {}
    return [_record_from_row(row, mentions)
            for row in rows.execute(f"{CLAIM_SELECT}{where} ORDER BY c.article_id, c.idx", params)]


def conversion_links(conn: sqlite3.Connection) -> dict[str, str]:
    """claim id of a conversion -> claim id of the quantity it converts."""
    return {r[0]: r[1] for r in conn.execute(
        "SELECT id, conversion_of FROM claims WHERE conversion_of IS NOT NULL")}


def load_article_records(conn: sqlite3.Connection) -> list[ArticleRecord]:
    out = []
    for row in conn.execute(
        """SELECT a.*, s.name AS source_name FROM articles a JOIN sources s ON s.id = a.source_id
           WHERE a.status = 'analyzed' ORDER BY a.published, a.id"""
    ):
        cits = [Citation(kind=r["kind"], target=r["target"], text=r["text"], start=r["start"])
                for r in conn.execute(
                    "SELECT * FROM citations WHERE article_id = ? ORDER BY start", (row["id"],))]
        out.append(ArticleRecord(
            article_id=row["id"], source=row["source_name"], url=row["url"], title=row["title"],
            author=row["author"], published=row["published"], lang=row["language"] or "und",
            text=row["text"], ai_disclosure=row["ai_disclosure"], citations=cits,
        ))
    return out


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ["sources", "articles", "mentions", "entities", "claims", "facts", "flags",
              "citations", "input_failures"]
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def _domain(url: str) -> str | None:
    from urllib.parse import urlsplit
    host = urlsplit(url).hostname
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
