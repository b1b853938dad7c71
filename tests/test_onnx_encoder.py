"""The ONNX Runtime path of the embedder gives torch's vectors, and is used only where it can be."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graph.embeddings import Embedder
from graph.onnx_encoder import model_layout

TEXTS = ["Trainingskosten DeepSeek", "DeepSeek training cost: [USD] 5.6 million", "H100 rental price",
         "  wie viel Rechenkapazität steht leer?  ", "x", "Ü",
         " ".join(["Rechenzentren in Ningxia stehen leer"] * 80)]     # past the model's 256 tokens


@pytest.fixture(scope="module")
def model_dir():
    from graph.link_config import default_embedding_model
    try:
        return Path(default_embedding_model())
    except RuntimeError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def torch_embedder(model_dir):
    return Embedder(model_dir, backend="torch", precision="float32")


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def onnx_embedder(model_dir, onnx_cache):
    embedder = Embedder(model_dir, cache_dir=onnx_cache, precision="float32")
    assert embedder.runs_onnx, "the default model is a Transformer + mean Pooling + Normalize stack"
    return embedder


def test_onnx_vectors_are_torch_vectors(onnx_embedder, torch_embedder):
    batch, expected = onnx_embedder.encode(TEXTS), torch_embedder.encode(TEXTS)
    assert batch.dtype == np.float32 and batch.shape == expected.shape == (len(TEXTS), 384)
    assert np.abs(batch - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    for text, row in zip(TEXTS, expected):
        one = onnx_embedder.encode_one(text)
        assert np.abs(one - row).max() < 1e-5, text
        assert np.array_equal(one, onnx_embedder.encode([text])[0]), text


def test_batches_on_idle_cores_give_the_same_vectors(model_dir, onnx_cache, onnx_embedder, monkeypatch):
    import graph.embeddings
    monkeypatch.setattr(graph.embeddings, "batch_threads", lambda: 2)     # as if two cores were idle
    embedder = Embedder(model_dir, cache_dir=onnx_cache, precision="float32")
    batch = embedder.encode(TEXTS)
    assert embedder.batch_thread_count() == 2
    assert embedder._onnx.threads == 1 and list(embedder._onnx_batch) == [2]    # one text stays on one
    assert np.array_equal(batch, onnx_embedder.encode(TEXTS))
    assert np.array_equal(embedder.encode_one(TEXTS[0]), batch[0])


def test_the_thread_count_is_decided_again_during_a_long_encode(model_dir, onnx_cache, onnx_embedder,
                                                               monkeypatch):
    import graph.embeddings
    counts = iter([1, 2, 1, 2, 2, 2, 2])
    monkeypatch.setattr(graph.embeddings, "batch_threads", lambda: next(counts))
    monkeypatch.setattr(graph.embeddings, "REDECIDE_SECONDS", -1.0)    # every chunk looks again
    monkeypatch.setattr(graph.embeddings, "ENCODE_CHUNK", 16)
    texts = [f"{t} {i}" for i in range(12) for t in TEXTS[:4]]       # 48 texts: three chunks
    embedder = Embedder(model_dir, cache_dir=onnx_cache, batch_size=8, precision="float32")
    vectors = embedder.encode(texts)
    assert list(embedder._onnx_batch) == [2]            # chunks ran on one and on two threads
    assert np.array_equal(vectors, onnx_embedder.encode(texts))


def test_batch_threads_count_idle_cpus_this_process_may_use():
    import os

    from graph.embeddings import batch_threads, idle_cpus
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    idle = idle_cpus(0.05)
    assert idle is None or 0.0 <= idle <= (os.cpu_count() or 1) + 1e-9
    assert 1 <= batch_threads() <= usable


def test_the_export_is_reused_without_loading_torch(model_dir, onnx_embedder, onnx_cache):
    exported = sorted(onnx_cache.glob("*.onnx"))
    assert len(exported) == 1 and not list(onnx_cache.glob("*.part"))
    mtime = exported[0].stat().st_mtime_ns
    again = Embedder(model_dir, cache_dir=onnx_cache, precision="float32")
    assert np.array_equal(again.encode_one("H100 rental price"), onnx_embedder.encode_one("H100 rental price"))
    assert again._model is None                     # the sentence-transformers model was never loaded
    assert exported[0].stat().st_mtime_ns == mtime
    # a new process embeds a question and a batch through the export without importing torch
    script = ("import sys; from pathlib import Path; from graph.embeddings import Embedder; "
              f"e = Embedder({str(model_dir)!r}, cache_dir=Path({str(onnx_cache)!r})); "
              "e.encode_one('H100 rental price'); e.encode(['a', 'b', 'c']); "
              "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_torch_backend_exports_nothing(model_dir, tmp_path):
    embedder = Embedder(model_dir, backend="torch", cache_dir=tmp_path, precision="float32")
    embedder.encode(["a text"])
    assert not embedder.runs_onnx and not list(tmp_path.iterdir())


def test_unknown_backend_is_refused(model_dir):
    with pytest.raises(ValueError, match="'auto'.*'torch'"):
        Embedder(model_dir, backend="tensorflow")


def _copy_model(model_dir, target):
    shutil.copytree(model_dir, target)
    return target


def test_layouts_onnx_cannot_reproduce_stay_on_torch(model_dir, tmp_path):
    assert model_layout(model_dir).pooling == "mean"
    with_dense = _copy_model(model_dir, tmp_path / "dense")
    modules = json.loads((with_dense / "modules.json").read_text())
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (with_dense / "modules.json").write_text(json.dumps(modules))
    assert model_layout(with_dense) is None

    prompted = _copy_model(model_dir, tmp_path / "prompted")
    (prompted / "config_sentence_transformers.json").write_text(json.dumps({"default_prompt_name": "query"}))
    assert model_layout(prompted) is None

    two_poolings = _copy_model(model_dir, tmp_path / "pool")
    pooling = json.loads((two_poolings / "1_Pooling" / "config.json").read_text())
    pooling["pooling_mode_max_tokens"] = True
    (two_poolings / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert model_layout(two_poolings) is None
    assert model_layout(tmp_path / "missing") is None


def test_cls_pooling_model_exports_and_matches_torch(model_dir, tmp_path):
    """Another layout the ONNX path claims to handle: CLS pooling, no Normalize module."""
    cls_model = _copy_model(model_dir, tmp_path / "cls-model")
    modules = json.loads((cls_model / "modules.json").read_text())
    (cls_model / "modules.json").write_text(json.dumps(modules[:2]))
    pooling_file = cls_model / "1_Pooling" / "config.json"
    pooling = json.loads(pooling_file.read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling_file.write_text(json.dumps(pooling))
    assert model_layout(cls_model).pooling == "cls"
    onnx = Embedder(cls_model, cache_dir=tmp_path / "cache", precision="float32")
    assert onnx.runs_onnx
    expected = Embedder(cls_model, backend="torch", precision="float32").encode(TEXTS[:4])
    assert np.abs(onnx.encode(TEXTS[:4]) - expected).max() < 1e-5
    assert not np.allclose(expected, Embedder(model_dir, backend="torch", precision="float32").encode(TEXTS[:4]), atol=1e-3)
