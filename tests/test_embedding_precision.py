"""bfloat16 embedding batches: when they are chosen, how close their vectors are, and that the
sample and held-out corpora group into the same facts and flags with them as with float32."""
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLES, build_samples_record
from graph.embeddings import BF16_MIN_TEXTS, Embedder, batch_precision, embed_texts
from newsgraph.config import ConfigError, load_settings

HELDOUT = Path(__file__).parent / "fixtures" / "heldout_articles"
TEXTS = ["Trainingskosten DeepSeek: [USD] 5,6 Mio.", "DeepSeek training cost: [USD] 5.6 million",
         "Auslastung der Rechenzentren: bis zu [percent] ungenutzt", "H100 rental price per hour",
         "Nvidia; Börsenwert: mehr als [USD] Billion", "x"]


@pytest.fixture(scope="module")
def model():
    from graph.link_config import default_embedding_model
    try:
        return default_embedding_model()
    except RuntimeError as exc:
        pytest.skip(str(exc))


def test_auto_takes_bfloat16_only_for_large_jobs_on_amx():
    assert batch_precision("auto", BF16_MIN_TEXTS, amx=True) == "bfloat16"
    assert batch_precision("auto", BF16_MIN_TEXTS - 1, amx=True) == "float32"
    assert batch_precision("auto", 10 * BF16_MIN_TEXTS, amx=False) == "float32"
    assert batch_precision("bfloat16", 1, amx=False) == "bfloat16"
    assert batch_precision("float32", 10 * BF16_MIN_TEXTS, amx=True) == "float32"
    # torch already loaded: nothing left to repay
    assert batch_precision("auto", 1, amx=True, loaded=True) == "bfloat16"
    assert batch_precision("auto", 1, amx=False, loaded=True) == "float32"
    with pytest.raises(ValueError, match="auto, float32, bfloat16"):
        batch_precision("fp8", 1, amx=True)


def test_bfloat16_vectors_are_unit_length_and_near_float32(model):
    full = Embedder(model, precision="float32").encode(TEXTS)
    half = Embedder(model, precision="bfloat16").encode(TEXTS)
    assert half.dtype == np.float32 and half.shape == full.shape
    assert np.allclose(np.linalg.norm(half, axis=1), 1.0, atol=1e-5)
    assert np.abs(half - full).max() > 1e-5              # computed in bfloat16, not float32
    assert (half * full).sum(axis=1).min() > 0.99
    pair_full, pair_half = full @ full.T, half @ half.T
    assert np.abs(pair_full - pair_half).max() < 0.01    # what the grouping thresholds compare


def test_the_onnx_export_leaves_small_jobs_on_float32(model, tmp_path):
    """Exporting the ONNX model loads torch once; that must not turn later small jobs into
    bfloat16 ones (which "auto" does once torch is in use, on a CPU with AMX)."""
    embedder = Embedder(model, cache_dir=tmp_path / "onnx")
    assert embedder.runs_onnx
    batch = embedder.encode(TEXTS)
    single = np.stack([embedder.encode_one(t) for t in TEXTS])    # always float32
    assert np.abs(batch - single).max() < 1e-5


def test_bfloat16_that_disagrees_with_float32_is_not_used(model, monkeypatch, caplog):
    """The probe check: were bfloat16 vectors off (a misbehaving kernel), the embedder stays
    on float32 and says so. Here no bfloat16 vector can reach a cosine above 1."""
    import graph.embeddings as embeddings

    monkeypatch.setattr(embeddings, "BF16_MIN_COSINE", 1.01)
    embedder = Embedder(model, precision="bfloat16")
    with caplog.at_level("WARNING", logger="graph.embeddings"):
        vectors = embedder.encode(TEXTS)
    assert "stays on float32" in caplog.text
    assert np.abs(vectors - Embedder(model, precision="float32").encode(TEXTS)).max() < 1e-5


def test_vectors_are_cached_whatever_precision_made_them(model, tmp_path):
    from graph.record import open_record

    conn = open_record(tmp_path / "record.db")
    half = Embedder(model, precision="bfloat16")
    full = Embedder(model, precision="float32")
    assert half.name == full.name
    first = embed_texts(conn, half, TEXTS)
    again = embed_texts(conn, full, TEXTS)
    assert (half.computed, full.computed, full.cached) == (len(TEXTS), 0, len(TEXTS))
    assert np.array_equal(first, again)
    conn.close()


def test_the_precision_setting_is_checked(tmp_path):
    assert load_settings(env={"NEWSGRAPH_EMBEDDING_PRECISION": "float32"}).embedding_precision == "float32"
    with pytest.raises(ConfigError, match="embedding_precision 'half'.*auto, float32, bfloat16"):
        load_settings(env={"NEWSGRAPH_EMBEDDING_PRECISION": "half"})
    with pytest.raises(ValueError, match="unknown embedding precision"):
        Embedder("any-model", precision="half")


def _groups_and_flags(conn):
    members: dict[str, set[str]] = {}
    for fact_id, claim_id in conn.execute("SELECT fact_id, claim_id FROM fact_members"):
        members.setdefault(fact_id, set()).add(claim_id)
    flags = conn.execute("SELECT kind, claim_a, claim_b, severity, reason FROM flags ORDER BY 1, 2, 3, 5").fetchall()
    return sorted(sorted(m) for m in members.values()), [tuple(f) for f in flags]


@pytest.mark.parametrize("corpus", [SAMPLES, HELDOUT], ids=["samples", "heldout"])
def test_bfloat16_links_the_corpora_as_float32_does(model, corpus, tmp_path):
    articles = sorted(corpus.glob("*.html"))
    runs = {}
    for precision in ("float32", "bfloat16"):
        embedder = Embedder(model, precision=precision)
        conn, _ = build_samples_record(tmp_path / f"{precision}.db", articles, embedder=embedder)
        assert embedder.computed > 0
        runs[precision] = _groups_and_flags(conn)
        conn.close()
    groups, flags = runs["float32"]
    assert len(groups) > 10 and any(f[0] == "contradiction" for f in flags)
    assert runs["bfloat16"] == runs["float32"]
