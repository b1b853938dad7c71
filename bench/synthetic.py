"""Synthetic claim records for the linking, sync and lookup figures, built once per run.

The claims come from the repository's generator, `bench/synth_claims.py` (owned by
the linking work); this module only turns them into records the way the pipeline
would (graph.store, one transaction per article), caches them in the run's work
folder, and adds what a stage needs on top:

- `linked=True`: `graph.link.link_record` has run (the linking stage saves its
  linked record with `save_linked`, so later stages do not link again);
- `lookup_vectors=True`: every claim has a lookup embedding (the vector of its
  `queries.claim_embeddings.claim_embedding_text`). Real vectors are those linking
  computed, those a smaller level already embedded (a run-wide pool), and up to
  REAL_VECTORS more texts embedded here with the model. Embedding a million
  texts on two cores would take hours, so every other text gets a randomly
  chosen real vector plus Gaussian noise (σ = VECTOR_NOISE per dimension),
  unit-normalized, stored in the record's embeddings cache under its own text
  key; `assign_embedding_keys` then points the claims at them as it does for
  real vectors. Search cost depends on the number and dimension of vectors, not
  on what they mean; the record's info says how many vectors are real.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.context import StageContext
from graph.record import open_record, transaction

REAL_VECTORS = 2_000
QUICK_REAL_VECTORS = 100
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
        info["vectors"] = ensure_lookup_vectors(conn, embedder_for(ctx, warm=False),
                                                QUICK_REAL_VECTORS if ctx.quick else REAL_VECTORS, ctx.seed,
                                                ctx.work / "vector-pool.db")
    info.update(_holdings(conn))
    return conn, info


def prepare_apart(ctx: StageContext, sizes: list[int], *, linked: bool, lookup_vectors: bool) -> dict[int, dict]:
    """Build (or find) the records of `sizes` in a child process; what each holds, by size.

    Why apart: linking and embedding load the models (torch too, for bfloat16 batches),
    and a process that carries them pays for it later: a Neo4j sync timed in it took
    ~0.5 s more client CPU per 10,000 claims. A stage that times a client then opens
    the ready records (`open_synthetic` finds them) in a process like `newsgraph sync`,
    which loads no model.
    """
    ctx_path = ctx.work / "prepare-context.json"
    ctx.dump(ctx_path)
    flags = [*(["--linked"] if linked else []), *(["--lookup-vectors"] if lookup_vectors else [])]
    proc = subprocess.run([sys.executable, "-m", "bench.synthetic", str(ctx_path), *map(str, sizes), *flags],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"preparing the synthetic records {sizes} failed:\n{proc.stderr[-3000:]}")
    return {int(n): info for n, info in json.loads(proc.stdout.strip().splitlines()[-1]).items()}


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
    existing = conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]   # the generator's advice
    return write_claims(conn, n_claims, seed, offset=existing)


def _holdings(conn: sqlite3.Connection) -> dict:
    out = {}
    for table in ("articles", "claims", "entities", "facts", "flags"):
        out[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return out


# -- embeddings ------------------------------------------------------------------------------------

_EMBEDDERS: dict[str, object] = {}


def embedder_for(ctx: StageContext, warm: bool = True):
    """One Embedder of the default model per stage process, warmed up (model loaded, first
    forward passes) when asked `warm` and not loaded yet; an unwarmed one loads its model
    only when it first embeds: records whose vectors are all present open without one."""
    from graph.embeddings import Embedder
    from graph.link_config import LinkConfig
    cfg = LinkConfig()
    key = cfg.embedding_model
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = Embedder(cfg.embedding_model, batch_size=cfg.batch_size)
    embedder = _EMBEDDERS[key]
    if warm and not embedder.loaded:
        embedder.encode(["warm-up: Umsatz 2024 stieg um 5 Prozent", "revenue rose 5 percent in 2024"])
    return embedder


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


def ensure_lookup_vectors(conn: sqlite3.Connection, embedder, real_limit: int, seed: int,
                          pool_path: Path) -> dict:
    """Give every claim a lookup embedding (see the module docstring); counts real and synthesized.

    Real vectors are kept in a run-wide pool (`pool_path`, same table layout as the
    record's cache), so a larger level reuses the texts a smaller one embedded.
    """
    from graph.embeddings import embed_texts, text_key
    from queries.claim_embeddings import assign_embedding_keys

    assign_embedding_keys(conn, embedder.name)        # what linking already embedded (real vectors)
    pending = claim_embedding_texts(conn, only_unkeyed=True)
    if not pending:
        return {"embedded": 0, "from_pool": 0, "synthesized": 0, "already_present": True}
    pool = _open_pool(pool_path)
    _pool_add(pool, conn, embedder.name)              # linking's real vectors join the pool
    texts = {text_key(t): t for _, t in pending}
    from_pool = _pool_copy(pool, conn, embedder.name, list(texts))
    missing = [k for k in texts if k not in from_pool]
    rng = np.random.default_rng(seed)
    chosen = [missing[i] for i in sorted(rng.choice(len(missing), size=min(real_limit, len(missing)),
                                                    replace=False).tolist())] if missing else []
    if chosen:
        embed_texts(conn, embedder, [texts[k] for k in chosen])
        _pool_add(pool, conn, embedder.name, chosen)
    rest = sorted(set(missing) - set(chosen))
    if rest:
        base = _pool_sample(pool, embedder.name, rng)
        for start in range(0, len(rest), 20_000):
            keys = rest[start:start + 20_000]
            picks = base[rng.integers(len(base), size=len(keys))]
            vecs = picks + rng.normal(0, VECTOR_NOISE, picks.shape).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            with transaction(conn):
                conn.executemany(
                    "INSERT OR IGNORE INTO embeddings(key, model, dim, vector) VALUES (?,?,?,?)",
                    [(k, embedder.name, vecs.shape[1], v.astype("<f4").tobytes()) for k, v in zip(keys, vecs)])
    pool.close()
    assign_embedding_keys(conn, embedder.name)
    return {"embedded": len(chosen), "from_pool": len(from_pool), "synthesized": len(rest)}


def _open_pool(path: Path) -> sqlite3.Connection:
    pool = sqlite3.connect(path)
    pool.execute("CREATE TABLE IF NOT EXISTS embeddings (key TEXT NOT NULL, model TEXT NOT NULL, "
                 "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (key, model))")
    return pool


def _pool_add(pool: sqlite3.Connection, conn: sqlite3.Connection, model: str,
              keys: list[str] | None = None) -> None:
    """Copy real vectors from the record into the pool (all of the model's, or `keys`)."""
    if keys is None:
        rows = conn.execute("SELECT key, model, dim, vector FROM embeddings WHERE model = ?", (model,))
    else:
        rows = []
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows += conn.execute(f"SELECT key, model, dim, vector FROM embeddings WHERE model = ? AND "
                                 f"key IN ({','.join('?' * len(chunk))})", [model, *chunk]).fetchall()
    with pool:
        pool.executemany("INSERT OR IGNORE INTO embeddings VALUES (?,?,?,?)", rows)


def _pool_copy(pool: sqlite3.Connection, conn: sqlite3.Connection, model: str, keys: list[str]) -> set[str]:
    """Copy the pool's vectors of `keys` into the record; the keys found."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = pool.execute(f"SELECT key, model, dim, vector FROM embeddings WHERE model = ? AND "
                            f"key IN ({','.join('?' * len(chunk))})", [model, *chunk]).fetchall()
        if rows:
            with transaction(conn):
                conn.executemany("INSERT OR IGNORE INTO embeddings(key, model, dim, vector) VALUES (?,?,?,?)",
                                 rows)
            found.update(r[0] for r in rows)
    return found


def _pool_sample(pool: sqlite3.Connection, model: str, rng, n: int = 5_000) -> np.ndarray:
    rows = pool.execute("SELECT vector FROM embeddings WHERE model = ?", (model,)).fetchall()
    if not rows:
        raise RuntimeError("no real vectors to synthesize from: the embedding model produced none")
    idx = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    return np.stack([np.frombuffer(rows[i][0], dtype="<f4") for i in idx]).astype(np.float32)


def main(argv: list[str]) -> int:
    """`python -m bench.synthetic CONTEXT.json N... [--linked] [--lookup-vectors]`: build the
    records (see prepare_apart); prints {N: info} as JSON on its last line."""
    flags = {a for a in argv if a.startswith("--")}
    ctx_path, *sizes = [a for a in argv if not a.startswith("--")]
    ctx = StageContext.load(Path(ctx_path))
    infos = {}
    for n in map(int, sizes):
        conn, infos[n] = open_synthetic(ctx, n, linked="--linked" in flags,
                                        lookup_vectors="--lookup-vectors" in flags)
        conn.close()
    print(json.dumps(infos, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
