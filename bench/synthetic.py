"""Synthetic claim records for the linking, sync and lookup figures, built once per run.

The claims come from the repository's generator, `bench/synth_claims.py` (owned by
the linking work); this module only turns them into records the way the pipeline
would (graph.store, one transaction per article), caches them in the run's work
folder, and adds what a stage needs on top:

- `linked=True`: `graph.link.link_record` has run (the linking stage saves its
  linked record with `save_linked`, so later stages do not link again);
- `lookup_vectors=True`: every claim has a lookup embedding. Up to REAL_VECTORS
  distinct claim texts (`queries.claim_embeddings.claim_embedding_text`) are
  embedded for real (`index_claim_embeddings` when that covers them all);
  embedding a million texts on two cores would take hours, so beyond that each
  remaining text gets the real vector of a randomly chosen embedded one plus
  Gaussian noise (σ = VECTOR_NOISE per dimension), unit-normalized, stored in the
  embeddings cache under its own text key, and `assign_embedding_keys` points the
  claims at them as it does for real vectors. Search cost depends on the number
  and dimension of vectors, not on what they mean; the record's info says how
  many vectors are real.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np

from bench.context import StageContext
from graph.record import open_record, transaction

REAL_VECTORS = 5_000
QUICK_REAL_VECTORS = 300
VECTOR_NOISE = 0.02


# -- the generator ------------------------------------------------------------------------------

def _generate(n_claims: int, seed: int, offset: int = 0):
    """(Document, Analysis) pairs holding `n_claims` claims in all, from bench/synth_claims.py."""
    try:
        from bench import synth_claims
    except ImportError as exc:
        raise RuntimeError(
            "bench/synth_claims.py (the synthetic claim generator of the linking work) is missing; "
            "the linking, sync and lookup figures need it") from exc
    return synth_claims.generate(n_claims, seed=seed, offset=offset)


def write_claims(conn: sqlite3.Connection, n_claims: int, seed: int, offset: int = 0) -> dict:
    """Store generated articles and their claims through graph.store; counts of what was written."""
    from graph import store
    articles = claims = 0
    for doc, analysis in _generate(n_claims, seed, offset):
        article_id, _ = store.save_document(conn, doc)
        store.save_analysis(conn, article_id, doc.content_hash, analysis)
        articles += 1
        claims += len(analysis.claims)
    return {"articles": articles, "claims": claims}


# -- cached records --------------------------------------------------------------------------------

def _base_path(ctx: StageContext, n: int, linked: bool) -> Path:
    return ctx.work / f"synthetic-{n}{'-linked' if linked else ''}.db"


def _copy_record(src: Path, dst: Path) -> None:
    """A consistent copy of a WAL record (sqlite backup, not a file copy of a live database)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)


def open_synthetic(ctx: StageContext, n: int, *, linked: bool, lookup_vectors: bool,
                   copy: bool = False) -> tuple[sqlite3.Connection, dict]:
    """An open record with `n` synthetic claims (built or reused), and what it holds.

    `copy=True` gives a private copy the caller may change (e.g. link it); otherwise the
    cached record itself is opened (and lookup vectors are added to it in place).
    """
    path = _base_path(ctx, n, linked)
    info: dict = {}
    if not path.exists():
        base = _base_path(ctx, n, False)
        if not base.exists():
            conn = open_record(base)
            info["generated"] = write_claims(conn, n, ctx.seed)
            conn.close()
        if linked:
            _copy_record(base, path)
            conn = open_record(path)
            from graph.link import link_record
            from graph.link_config import LinkConfig
            link_record(conn, LinkConfig(), embedder=embedder_for(ctx))
            conn.close()
    if copy:
        target = ctx.work / f"{path.stem}-copy.db"
        _copy_record(path, target)
        path = target
    conn = open_record(path)
    if lookup_vectors:
        info["vectors"] = ensure_lookup_vectors(conn, embedder_for(ctx),
                                                QUICK_REAL_VECTORS if ctx.quick else REAL_VECTORS, ctx.seed)
    info.update(_holdings(conn))
    return conn, info


def save_linked(ctx: StageContext, n: int, conn: sqlite3.Connection) -> None:
    """Keep a linked record for the later stages (sync, lookup)."""
    target = _base_path(ctx, n, True)
    if not target.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        dst = sqlite3.connect(target)
        conn.backup(dst)
        dst.close()


def add_synthetic(conn: sqlite3.Connection, n_claims: int, seed: int) -> dict:
    """Store `n_claims` more claims (new articles) in an existing synthetic record."""
    existing = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    return write_claims(conn, n_claims, seed, offset=existing)


def _holdings(conn: sqlite3.Connection) -> dict:
    out = {}
    for table in ("articles", "claims", "entities", "facts", "flags"):
        out[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return out


# -- embeddings ------------------------------------------------------------------------------------

_EMBEDDERS: dict[str, object] = {}


def embedder_for(ctx: StageContext):
    """One loaded, warmed-up Embedder of the default model per stage process."""
    from graph.embeddings import Embedder
    from graph.link_config import LinkConfig
    cfg = LinkConfig()
    key = cfg.embedding_model
    if key not in _EMBEDDERS:
        embedder = Embedder(cfg.embedding_model, batch_size=cfg.batch_size)
        embedder.encode(["warm-up: Umsatz 2024 stieg um 5 Prozent", "revenue rose 5 percent in 2024"])
        _EMBEDDERS[key] = embedder
    return _EMBEDDERS[key]


def claim_embedding_texts(conn: sqlite3.Connection, only_unkeyed: bool = False,
                          chunk: int = 500) -> list[tuple[str, str]]:
    """(claim id, the text its lookup vector is embedded from), article by article."""
    from graph.store import load_claim_records
    from queries.claim_embeddings import claim_embedding_text
    where = " WHERE embedding_key IS NULL" if only_unkeyed else ""
    article_ids = [r[0] for r in conn.execute(
        f"SELECT DISTINCT article_id FROM claims{where} ORDER BY article_id")]
    out = []
    for start in range(0, len(article_ids), chunk):
        for rec in load_claim_records(conn, article_ids[start:start + chunk]):
            out.append((rec.claim_id, claim_embedding_text(rec)))
    return out


def ensure_lookup_vectors(conn: sqlite3.Connection, embedder, real_limit: int, seed: int) -> dict:
    """Give every claim a lookup embedding (see the module docstring); counts real and synthesized."""
    from graph.embeddings import embed_texts, text_key
    from queries.claim_embeddings import assign_embedding_keys, index_claim_embeddings

    assign_embedding_keys(conn, embedder.name)        # what linking already embedded
    pending = claim_embedding_texts(conn, only_unkeyed=True)
    if not pending:
        return {"real": None, "synthesized": 0, "already_present": True}
    distinct = list(dict.fromkeys(text for _, text in pending))
    if len(distinct) <= real_limit:
        index_claim_embeddings(conn, embedder)
        return {"real": len(distinct), "synthesized": 0}
    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(len(distinct), size=real_limit, replace=False).tolist())
    base = embed_texts(conn, embedder, [distinct[i] for i in sorted(chosen)])
    rows: list[tuple] = []
    synthesized = 0

    def flush() -> None:
        with transaction(conn):
            conn.executemany("INSERT OR IGNORE INTO embeddings(key, model, dim, vector) VALUES (?,?,?,?)",
                             rows)
        rows.clear()

    for i, text in enumerate(distinct):
        if i in chosen:
            continue
        noise = rng.normal(0, VECTOR_NOISE, base.shape[1]).astype(np.float32)
        vec = base[rng.integers(len(base))] + noise
        vec = (vec / np.linalg.norm(vec)).astype("<f4")
        rows.append((text_key(text), embedder.name, vec.shape[0], vec.tobytes()))
        synthesized += 1
        if len(rows) >= 20_000:
            flush()
    flush()
    assign_embedding_keys(conn, embedder.name)
    return {"real": len(chosen), "synthesized": synthesized}
