"""Sentence embeddings of short claim contexts and entity names, cached in the record.

Why cached: the model is the slowest part of linking (~100 short texts per
second per core), and a claim's context does not change unless its article is
re-analyzed. Vectors are stored in the `embeddings` table keyed by sha1 of the
embedded text and the model identity, so a re-run, or a new article that
repeats an old phrase, never recomputes them. The model itself is loaded only
when a text is missing from the cache.

Models load offline (HF_HUB_OFFLINE=1): nothing may be downloaded from a hub.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import sqlite3
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from graph.onnx_encoder import (
    PROBES,
    OnnxEncoder,
    cached_onnx_path,
    default_cache_dir,
    encode_by_length,
    export_model,
    model_layout,
    onnx_runtime_available,
)
from graph.record import transaction

log = logging.getLogger(__name__)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

_LOOKUP_CHUNK = 500          # keys per SELECT ... IN (...)
_SCAN_ABOVE = 5_000          # more keys than this: one scan of the model's rows beats IN (...) lookups
_GENERIC_DIR_NAMES = {"model", "models", "snapshot", "snapshots", "main"}


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def model_identity(model: str | Path) -> str:
    """A stable name for the cache: the same model gives the same name on every machine.

    For a local directory: its readable name (the parent's when the folder is
    called "model") plus a short hash of its config files, so two different
    models in folders of the same name do not share cached vectors.
    """
    path = Path(model)
    if not path.is_dir():
        return str(model)
    name = path.name if path.name.lower() not in _GENERIC_DIR_NAMES else path.parent.name
    h = hashlib.sha1()
    for fname in ("config.json", "modules.json", "sentence_bert_config.json"):
        f = path / fname
        if f.is_file():
            h.update(f.read_bytes())
    return f"{name}#{h.hexdigest()[:10]}"


PRECISIONS = ("auto", "float32", "bfloat16")
# A job of at least this many texts runs in bfloat16 under precision "auto" (on a CPU with
# AMX). Smaller jobs stay on float32 ONNX Runtime unless the torch model is loaded already:
# loading torch and sentence-transformers costs ~5 s, which ~2 ms saved per text repays
# from ~2,500 texts on.
BF16_MIN_TEXTS = 2_000
BF16_BATCH = 64            # AMX tiles want wide matrices: 64 texts ran 1.4x as fast as 16
# bfloat16 vectors of the probe texts must be at least this close (cosine) to float32 ones,
# else the embedder stays on float32 (checked once, as the ONNX export is; measured: 0.9999 or more)
BF16_MIN_COSINE = 0.99


@functools.cache
def cpu_has_amx() -> bool:
    """Whether the CPU multiplies bfloat16 matrices in hardware (Intel AMX), read from
    /proc/cpuinfo so that asking does not import torch; False where unknown. Read once per
    process: the hardware does not change under it."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        pass
    return False


def batch_precision(precision: str, job_texts: int, amx: bool, loaded: bool = False) -> str:
    """"float32" or "bfloat16": the arithmetic for a job that embeds `job_texts` texts, when
    the torch model is `loaded` already (or not: then a small job is not worth loading it).

    Why bfloat16 at all: on a CPU with AMX, MiniLM under torch's bfloat16 autocast
    (matrix products in bfloat16; weights, layer norms and softmax in float32) embeds
    claim contexts ~2.2x as fast as float32 (477 against 216/s, 2 cores), and pair
    cosines move by 0.0005 on average, 0.0017 at p99 and 0.004 at most (200,000 pairs
    of synthetic contexts), an order below the gaps the grouping thresholds were set
    on. Without AMX, bfloat16 is emulated and slower: "auto" keeps float32 there.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"unknown embedding precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bfloat16" if amx and (loaded or job_texts >= BF16_MIN_TEXTS) else "float32"
    return precision


class Embedder:
    """A sentence-transformers model on the CPU, loaded on first use.

    `backend="auto"` runs the model through ONNX Runtime when it can
    (`graph.onnx_encoder`: one short text 2-3x faster, batches about as fast,
    the same vectors), exported once into `cache_dir`; `"torch"` always uses
    sentence-transformers itself.
    `precision` is the arithmetic of batches (`batch_precision`): "bfloat16" runs
    torch under bfloat16 autocast, "float32" the paths above, "auto" picks per job.
    A single text (`encode_one`, a lookup question) is always float32. Vectors are
    cached under the model's identity whatever precision made them: they differ by
    less than the grouping can tell, and a record moved to another machine keeps
    its vectors, so a re-link there gives the same facts without re-embedding.
    `computed` / `cached` count the texts embedded vs. found in the cache by
    `embed_texts`, for the link report.
    """

    def __init__(self, model: str | Path, batch_size: int = 16, device: str = "cpu",
                 threads: int | None = None, backend: str = "auto", cache_dir: Path | None = None,
                 precision: str = "auto"):
        if backend not in ("auto", "torch"):
            raise ValueError(f"unknown embedding backend {backend!r}: use 'auto' (ONNX Runtime when "
                             "the model allows it) or 'torch'")
        batch_precision(precision, 0, False)        # raises on an unknown name
        self.precision = precision
        self.model_ref = str(model)
        self.name = model_identity(model)
        self.batch_size = batch_size
        self.device = device
        self.threads = threads          # None: one for a single text, `batch_threads()` for batches
        self.backend = backend
        self.cache_dir = cache_dir or default_cache_dir()
        self._model = None
        self._bf16_ok: bool | None = None          # bfloat16 checked against float32 (None: not yet)
        self._onnx: OnnxEncoder | None | bool = None      # False: decided against
        self._onnx_batch: dict[int, OnnxEncoder] = {}      # sessions on more threads than `_onnx`
        self._batch_threads: int | None = None
        self._decided_at = 0.0
        self.computed = 0
        self.cached = 0

    @property
    def loaded(self) -> bool:
        return self._model is not None or bool(self._onnx)

    @property
    def runs_onnx(self) -> bool:
        """Whether texts go through ONNX Runtime (decides, and exports if needed, on first call)."""
        return self._onnx_encoder() is not None

    def _onnx_encoder(self) -> OnnxEncoder | None:
        if self._onnx is None:
            self._onnx = self._open_onnx() or False
        return self._onnx or None

    def _batch_encoder(self) -> OnnxEncoder | None:
        """The ONNX encoder for batches: `_onnx` itself, or a session on more threads (one per
        thread count, kept: the count may change back)."""
        single = self._onnx_encoder()
        n = self.batch_thread_count()
        if single is None or n == single.threads:
            return single
        if n not in self._onnx_batch:
            self._onnx_batch[n] = OnnxEncoder(single.path, single.model_dir, single.layout, n)
        return self._onnx_batch[n]

    def batch_thread_count(self) -> int:
        """Threads for batches: as configured, else `batch_threads()`, decided again once the last
        decision is `REDECIDE_SECONDS` old (a long run outlasts the load it started under)."""
        if self.threads:
            return self.threads
        now = time.monotonic()
        if self._batch_threads is None or now - self._decided_at > REDECIDE_SECONDS:
            self._batch_threads, self._decided_at = batch_threads(), now
        return self._batch_threads

    def _open_onnx(self) -> OnnxEncoder | None:
        if self.backend != "auto" or self.device != "cpu" or not onnx_runtime_available():
            return None
        model_dir = Path(self.model_ref)
        layout = model_layout(model_dir) if model_dir.is_dir() else None
        if layout is None:
            return None
        path = cached_onnx_path(self.cache_dir, self.name)
        try:
            if not path.is_file():
                # the export's own model is not kept: `_model` stands for torch being in use
                model = self._model if self._model is not None else self._sentence_transformer()
                if not export_model(model, model_dir, layout, path):
                    return None
            return OnnxEncoder(path, model_dir, layout, self.threads or 1)
        except Exception as exc:  # noqa: BLE001 - torch gives the same vectors, only slower
            log.warning("embedding model %s stays on torch: ONNX Runtime could not run it (%s: %s)",
                        self.model_ref, type(exc).__name__, exc)
            return None

    def _load(self):
        """The sentence-transformers model, loaded once and kept (torch is in use)."""
        if self._model is None:
            self._model = self._sentence_transformer()
        return self._model

    def _sentence_transformer(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            model = SentenceTransformer(self.model_ref, device=self.device)
        except OSError as exc:
            raise RuntimeError(
                f"cannot load the embedding model {self.model_ref!r} offline: {exc}. "
                "Set embedding_model (newsgraph.toml, or NEWSGRAPH_EMBEDDING_MODEL) to a local "
                "sentence-transformers directory; nothing is downloaded from a model hub."
            ) from exc
        model.eval()      # `encode_one` calls the modules directly: no dropout
        return model

    def encode(self, texts: list[str], job_texts: int | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (no cache).

        `job_texts`: how many texts the job embeds in all when `texts` is one chunk of
        it (default: these), which decides the precision under "auto".
        """
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        amx = self.precision == "auto" and self.device == "cpu" and cpu_has_amx()
        loaded = self._model is not None
        if batch_precision(self.precision, job_texts or len(texts), amx, loaded) == "bfloat16" \
                and self._bfloat16_agrees():
            return self._encode_bfloat16(texts)
        if self._onnx_encoder() is not None:
            # in chunks of similar length (sorted as the encoder sorts: the same batches), each on
            # the session of the thread count decided for it
            step = max(1, ENCODE_CHUNK // self.batch_size) * self.batch_size
            return encode_by_length(texts, step, lambda chunk: self._batch_encoder().encode(chunk, self.batch_size))
        model = self._load()
        with torch_threads(self.batch_thread_count()):
            return self._encode_batch(model, texts)

    def _bfloat16_agrees(self) -> bool:
        """Whether bfloat16 gives this model's float32 vectors on the probe texts (within
        BF16_MIN_COSINE), decided once: a model or a torch build whose bfloat16 kernels
        misbehave stays on float32, with a warning, rather than grouping on bad vectors."""
        if self._bf16_ok is None:
            model = self._load()
            with torch_threads(1):
                full = self._encode_batch(model, PROBES)
            cosine = float((self._encode_bfloat16(PROBES) * full).sum(axis=1).min())
            self._bf16_ok = cosine >= BF16_MIN_COSINE
            if not self._bf16_ok:
                log.warning("embedding model %s stays on float32: its bfloat16 vectors of probe texts "
                            "reach only %.3f cosine to float32 ones (%.2f needed)",
                            self.model_ref, cosine, BF16_MIN_COSINE)
        return self._bf16_ok

    def _encode_bfloat16(self, texts: list[str]) -> np.ndarray:
        """Torch under bfloat16 autocast, normalized in float32; in chunks of similar length,
        each on the thread count decided for it."""
        import torch

        model = self._load()
        device_type = torch.device(self.device).type       # autocast takes "cuda", not "cuda:0"
        step = max(1, ENCODE_CHUNK // BF16_BATCH) * BF16_BATCH

        def chunk(part: list[str]) -> np.ndarray:
            with torch_threads(self.batch_thread_count()), torch.autocast(device_type, dtype=torch.bfloat16):
                vecs = model.encode(part, batch_size=BF16_BATCH, normalize_embeddings=False,
                                    convert_to_tensor=True, show_progress_bar=False)
            vecs = vecs.float().cpu().numpy()
            return vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)

        return np.ascontiguousarray(encode_by_length(texts, step, chunk), dtype=np.float32)

    def _encode_batch(self, model, texts: list[str]) -> np.ndarray:
        vecs = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """One unit-length float32 vector for one short text (a lookup question).

        Through ONNX Runtime when the model allows it (`runs_onnx`). Otherwise, on one
        torch thread, this calls the model's modules directly. `encode` spends 2-5 ms of a ~17 ms call
        on bookkeeping that one question does not need (setting eval mode module by
        module, inspecting signatures, sorting by length); a lookup waits for it.
        Same modules in the same order, so the vector is bit-identical to
        `encode([text])[0]` (tested). One thread: a single short text is too small
        to split (see `batch_threads`).
        """
        onnx = self._onnx_encoder()
        if onnx is not None:
            return onnx.encode([text], 1)[0]
        import torch

        model = self._load()
        if getattr(model, "default_prompt_name", None) or getattr(model, "truncate_dim", None) is not None:
            with torch_threads(1):      # encode() adds the model's prompt / truncation: let it
                return self._encode_batch(model, [text])[0]
        with torch_threads(1), torch.inference_mode():
            features = {k: v.to(model.device) if isinstance(v, torch.Tensor) else v
                        for k, v in model.preprocess([text]).items()}
            out = model(features)["sentence_embedding"]
            vec = torch.nn.functional.normalize(out, p=2, dim=1)[0]
        return np.ascontiguousarray(vec.cpu().numpy(), dtype=np.float32)


REDECIDE_SECONDS = 30.0    # how long a batch thread count holds (`Embedder.batch_thread_count`)
ENCODE_CHUNK = 512         # texts encoded between two looks at that count (~4-6 s of work)


def batch_threads(window: float = 0.05) -> int:
    """Threads for encoding a batch: the CPUs this process may use that are idle right now, at
    least one (`idle_cpus`, over `window` seconds).

    Why not a fixed count: our texts are short (a claim's context, ~30 tokens), so each
    operation is small and intra-op threads meet at barriers often. On idle cores two
    threads encode ~1.6x as many contexts per second as one (123 against 78/s, 2 cores,
    ONNX Runtime); when other work holds the cores, a barrier waits for a descheduled
    sibling and two threads encode half as many as one (~50 against ~100/s).
    One text (a lookup question) always runs on one thread.
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    idle = idle_cpus(window)
    if idle is None:
        return max(1, usable // 4)
    return max(1, min(usable, int(idle + 0.25)))


def idle_cpus(window: float = 0.05) -> float | None:
    """How many CPUs were idle over the next `window` seconds (/proc/stat), None where unknown."""
    def sample() -> tuple[int, int] | None:
        try:
            with open("/proc/stat", encoding="ascii") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields[:8])
    first = sample()
    if first is None:
        return None
    time.sleep(window)
    second = sample()
    if second is None or second[1] <= first[1]:
        return None
    return (second[0] - first[0]) / (second[1] - first[1]) * (os.cpu_count() or 1)


@contextmanager
def torch_threads(n: int):
    """Run torch on `n` threads for the duration (when torch is loaded at all).

    torch's thread count is process-wide, so it is restored afterwards.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def embed_texts(conn: sqlite3.Connection, embedder: Embedder, texts: list[str],
                commit_every: int = 2048, progress=None, job_texts: int | None = None) -> np.ndarray:
    """Normalized vectors for `texts` (rows in input order), from the cache where possible.

    Missing texts are embedded in chunks of `commit_every` and each chunk is
    committed at once, so an interrupted run keeps what it computed.
    `progress(done, total)` is called after each chunk when given. `job_texts`: the
    job's size when this call is one slice of it (`Embedder.encode`); default: the
    texts missing here.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    keys = [text_key(t) for t in texts]
    unique: dict[str, str] = {}
    for k, t in zip(keys, texts):
        unique.setdefault(k, t)
    found = {k: np.frombuffer(blob, dtype="<f4")
             for k, blob in cached_vector_bytes(conn, embedder.name, unique).items()}
    missing = [k for k in unique if k not in found]
    embedder.cached += len(unique) - len(missing)
    for i in range(0, len(missing), commit_every):
        chunk = missing[i:i + commit_every]
        vecs = embedder.encode([unique[k] for k in chunk], job_texts=job_texts or len(missing))
        with transaction(conn):
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(key, model, dim, vector) VALUES (?,?,?,?)",
                [(k, embedder.name, vecs.shape[1], v.astype("<f4").tobytes())
                 for k, v in zip(chunk, vecs)],
            )
        for k, v in zip(chunk, vecs):
            found[k] = v
        embedder.computed += len(chunk)
        if progress:
            progress(min(i + commit_every, len(missing)), len(missing))
    dim = len(next(iter(found.values())))
    out = np.empty((len(texts), dim), dtype=np.float32)
    for row, k in enumerate(keys):
        out[row] = found[k]
    return out


def cached_vector_bytes(conn: sqlite3.Connection, model: str, keys: Iterable[str]) -> dict[str, bytes]:
    """key -> float32 bytes of the model's cached vectors, for those of `keys` the cache holds.

    Bytes, not arrays: the lookup's vector store copies them into one matrix.
    """
    return dict(_cached_rows(conn, model, keys, "key, vector"))


def cached_keys(conn: sqlite3.Connection, model: str, keys: Iterable[str]) -> set[str]:
    """Those of `keys` whose vector of `model` the cache holds (keys only: no vector is read)."""
    return {row[0] for row in _cached_rows(conn, model, keys, "key")}


def _cached_rows(conn: sqlite3.Connection, model: str, keys: Iterable[str], columns: str) -> Iterator[tuple]:
    """Rows (`columns`, the key first) of the model's cached vectors whose key is among `keys`:
    one scan of the model's rows for many keys, IN (...) lookups for few."""
    wanted = set(keys)
    if not wanted:
        return
    cur = conn.cursor()
    cur.row_factory = None
    if len(wanted) > _SCAN_ABOVE:
        yield from (r for r in cur.execute(f"SELECT {columns} FROM embeddings WHERE model = ?", (model,))
                    if r[0] in wanted)
        return
    ordered = sorted(wanted)
    for i in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[i:i + _LOOKUP_CHUNK]
        yield from cur.execute(
            f"SELECT {columns} FROM embeddings WHERE model = ? AND key IN ({','.join('?' * len(chunk))})",
            [model, *chunk])
