"""Which cached vector is a claim's embedding: claims.embedding_key / embedding_model.

Why: the lookup (SQLite and Neo4j alike) needs one vector per claim, and
linking already embeds every claim's short context (graph.claim_features.claim_context)
into the shared `embeddings` cache, keyed by sha1 of the text + model. So a
claim's key is computed from its context text, without the model; only a claim
whose context is not cached yet needs the model (`index_claim_embeddings`).

`assign_embedding_keys` is cheap and needs no model: the projection and the
lookup index call it themselves; the pipeline may call `index_claim_embeddings`
after linking to embed what linking did not (e.g. when linking was skipped).
"""
from __future__ import annotations

import sqlite3
from typing import Callable, Iterable

from graph.embeddings import Embedder, cached_keys, embed_texts, text_key
from graph.claim_features import claim_context
from graph.record import transaction
from graph.store import load_claim_records
from graph.types import ClaimRecord

ARTICLE_CHUNK = 500


def claim_embedding_text(rec: ClaimRecord) -> str:
    """The text linking embeds for a claim (same call as graph.link), so the cache is shared."""
    return claim_context(rec, [e.canonical or e.text for e in rec.claim.entities])


def _unkeyed_records(conn: sqlite3.Connection) -> Iterable[ClaimRecord]:
    """Claims without an embedding key, by article (NLP re-runs replace a whole article)."""
    article_ids = [r[0] for r in conn.execute(
        "SELECT DISTINCT article_id FROM claims WHERE embedding_key IS NULL ORDER BY article_id")]
    for start in range(0, len(article_ids), ARTICLE_CHUNK):
        for rec in load_claim_records(conn, article_ids[start:start + ARTICLE_CHUNK]):
            yield rec


def preferred_model(conn: sqlite3.Connection, model: str | None = None) -> str | None:
    """The model to use: the given one, else the one with the most cached vectors."""
    if model:
        return model
    row = conn.execute(
        "SELECT model FROM embeddings GROUP BY model ORDER BY COUNT(*) DESC, model LIMIT 1").fetchone()
    return row[0] if row else None


def assign_embedding_keys(conn: sqlite3.Connection, model: str | None = None) -> int:
    """Point unkeyed claims at the cached vector of their context text; return how many were set."""
    model = preferred_model(conn, model)
    if model is None or conn.execute(
            "SELECT 1 FROM claims WHERE embedding_key IS NULL LIMIT 1").fetchone() is None:
        return 0
    pairs = [(rec.claim_id, text_key(claim_embedding_text(rec))) for rec in _unkeyed_records(conn)]
    cached = cached_keys(conn, model, (k for _, k in pairs))
    updates = [(key, model, cid) for cid, key in pairs if key in cached]
    if updates:
        with transaction(conn):
            conn.executemany(
                "UPDATE claims SET embedding_key = ?, embedding_model = ? WHERE id = ?", updates)
    return len(updates)


def index_claim_embeddings(conn: sqlite3.Connection, embedder: Embedder, batch: int = 2048,
                           progress: Callable[[int, int], None] | None = None) -> int:
    """Embed (through the cache) the context of every claim that has no vector of this model yet.

    Returns the number of claims whose embedding key was set or changed.
    """
    with transaction(conn):  # a model switch: every claim needs this model's vector
        conn.execute("UPDATE claims SET embedding_key = NULL, embedding_model = NULL "
                     "WHERE embedding_model IS NOT NULL AND embedding_model != ?", (embedder.name,))
    keyed = {text_key(t): t for t in (claim_embedding_text(rec) for rec in _unkeyed_records(conn))}
    cached = cached_keys(conn, embedder.name, keyed)
    texts = [t for k, t in keyed.items() if k not in cached]
    for start in range(0, len(texts), batch):      # slices: the vectors of a slice are not kept
        embed_texts(conn, embedder, texts[start:start + batch], job_texts=len(texts))
        if progress:
            progress(min(start + batch, len(texts)), len(texts))
    return assign_embedding_keys(conn, embedder.name)
