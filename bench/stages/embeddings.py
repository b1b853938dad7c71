"""Claim embeddings per second: cold (nothing cached), then cached (all in the record).

Texts are what linking and the lookup embed for a claim
(`queries.claim_embeddings.claim_embedding_text`: the claim's short context) of
the corpus claims the `pipeline` stage found, or of synthetic claims when the
corpus is absent. The model is loaded and warmed up
before timing: "cold" means the vectors are not in the record's cache yet, not
that the model is still on disk. Each cold pass embeds into a fresh record
through `graph.embeddings.embed_texts` (encode + store); the cached pass reads
the same texts back from that record.
"""
from __future__ import annotations

from bench.context import StageContext
from bench.figures import figure
from bench.measure import median, per_second, timed
from bench.records import fresh_record, load_claim_texts

FULL_TEXTS = 1_000
QUICK_TEXTS = 100


def claim_texts(ctx: StageContext, n: int) -> tuple[list[str], str]:
    """Distinct embedding texts of corpus claims, else of synthetic claims; at most `n`."""
    texts = load_claim_texts(ctx.work)
    origin = "corpus claims"
    if not texts:
        from bench.synthetic import claim_embedding_texts, open_synthetic
        conn, _ = open_synthetic(ctx, n, linked=False, lookup_vectors=False)
        texts = [t for _, t in claim_embedding_texts(conn)]
        conn.close()
        origin = "synthetic claims"
    return list(dict.fromkeys(texts))[:n], origin


def run(ctx: StageContext) -> dict:
    from graph.embeddings import Embedder
    from graph.link_config import LinkConfig

    n = QUICK_TEXTS if ctx.quick else FULL_TEXTS
    texts, origin = claim_texts(ctx, n)
    cfg = LinkConfig()
    embedder = Embedder(cfg.embedding_model, batch_size=cfg.batch_size)
    embedder.encode(texts[:32])   # warm-up: load the model, first forward passes

    cold, cached = _passes(ctx, embedder, texts, "embeddings")
    words = sum(len(t.split()) for t in texts)
    half, skipped = _bfloat16_figure(ctx, cfg, texts)
    return {
        "figures": [
            figure("embeddings.cold_per_s", "claim embeddings, cold (model encode + store)",
                   per_second(len(texts), median(cold)), "claims/s",
                   detail={"texts": len(texts), "origin": origin, "mean_words": round(words / max(1, len(texts)), 1),
                           "model": embedder.name, "batch_size": embedder.batch_size,
                           "pass_seconds": [round(d, 3) for d in cold]}),
            figure("embeddings.cached_per_s", "claim embeddings, cached (read from the record)",
                   per_second(len(texts), median(cached)), "claims/s",
                   detail={"pass_seconds": [round(d, 4) for d in cached]}),
        ] + half,
        "info": {"texts": len(texts), "origin": origin, "model": embedder.name},
        "skipped": skipped,
    }


def _bfloat16_figure(ctx: StageContext, cfg, texts: list[str]) -> tuple[list[dict], list[dict]]:
    """Cold embeddings in bfloat16, as a large job (linking 100,000 claims) runs them on a CPU
    with AMX (`graph.embeddings.batch_precision`); skipped without AMX, where "auto" never
    picks it."""
    from graph.embeddings import Embedder, cpu_has_amx

    if not cpu_has_amx():
        return [], [{"part": "claim embeddings, bfloat16",
                     "reason": "this CPU has no AMX: embedding jobs stay in float32"}]
    embedder = Embedder(cfg.embedding_model, precision="bfloat16")
    embedder.encode(texts[:64])   # warm-up: load torch and the model
    cold, _ = _passes(ctx, embedder, texts, "embeddings-bf16")
    return [figure("embeddings.cold_bf16_per_s", "claim embeddings, cold, bfloat16 (large jobs on AMX)",
                   per_second(len(texts), median(cold)), "claims/s",
                   detail={"pass_seconds": [round(d, 3) for d in cold]})], []


def _passes(ctx: StageContext, embedder, texts: list[str], name: str) -> tuple[list[float], list[float]]:
    """Seconds of each repeat: embedding the texts into a fresh record (cold), then the same
    texts again, read from it (cached)."""
    from graph.embeddings import embed_texts

    cold, cached = [], []
    for _ in range(max(1, ctx.repeats)):
        conn, _ = fresh_record(ctx.work, name)
        seconds, _ = timed(lambda: embed_texts(conn, embedder, texts))
        cold.append(seconds)
        seconds, _ = timed(lambda: embed_texts(conn, embedder, texts))
        cached.append(seconds)
        conn.close()
    return cold, cached
