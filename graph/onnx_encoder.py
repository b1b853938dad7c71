"""A sentence-transformers model run by ONNX Runtime, exported once from its own weights.

Why: a lookup waits for its question's vector, and for one short text torch
spends most of its time on per-operator overhead, not arithmetic. On the 2-core
bench machine one question took ~9-11 ms through ONNX Runtime against ~34 ms
through sentence-transformers (~15 ms through `Embedder.encode_one`'s lean torch
path on a quiet machine), with vectors equal to within 2e-7. Batches of claim
contexts run about as fast as on torch (0-10 % faster), so linking gains little.

Only the common model layout is handled: a Transformer, then Pooling (mean, CLS
or max over tokens), then optionally Normalize, with no prompts; vectors come out
unit-length either way, as `Embedder` gives them. Anything else,
or a machine without `onnx` / `onnxruntime`, stays on torch
(`graph.embeddings.Embedder` decides). The export is checked against torch on
probe texts before it is kept, and kept in a cache folder named after the
model's identity, so later processes load it without importing torch at all.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)

# what the export (and bfloat16, graph.embeddings) is checked on: short and long, German and
# English, a padded batch
PROBES = ["Trainingskosten von DeepSeek", "H100 rental price per hour",
          "Der Konzern investiert nach eigenen Angaben rund sechs Milliarden Euro in das neue Werk bei Prenzlau.",
          "x"]
_MAX_DIFF = 1e-4                   # largest element difference from torch that the export may show
_POOLING = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls",
            "pooling_mode_max_tokens": "max"}


@dataclass(frozen=True)
class ModelLayout:
    """What the ONNX path must reproduce of a sentence-transformers model folder."""

    max_seq_length: int
    lower_case: bool
    pooling: str           # "mean", "cls" or "max"


def model_layout(model_dir: Path) -> ModelLayout | None:
    """The folder's module stack if the ONNX path can run it, else None (torch runs it)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return None
        if modules[0].get("path", "") not in ("", "."):
            return None
        if not (model_dir / "tokenizer.json").is_file():
            return None
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        pooling_dir = model_dir / modules[1]["path"]
        pooling = json.loads((pooling_dir / "config.json").read_text(encoding="utf-8"))
        on = [mode for key, mode in _POOLING.items() if pooling.get(key)]
        others = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v and k not in _POOLING]
        if len(on) != 1 or others:
            return None
        prompts = model_dir / "config_sentence_transformers.json"
        if prompts.is_file() and json.loads(prompts.read_text(encoding="utf-8")).get("default_prompt_name"):
            return None
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return ModelLayout(max_seq_length=int(st_config.get("max_seq_length") or 512),
                       lower_case=bool(st_config.get("do_lower_case")), pooling=on[0])


class OnnxEncoder:
    """Unit-length vectors of texts, as the sentence-transformers model the ONNX file was exported
    from gives them with `normalize_embeddings=True` (what `graph.embeddings.Embedder` promises)."""

    def __init__(self, onnx_path: Path, model_dir: Path, layout: ModelLayout, threads: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.path, self.model_dir, self.threads = onnx_path, model_dir, threads
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.layout = layout
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(layout.max_seq_length)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Float32 vectors, one row per text, in the texts' order (batches of similar length)."""
        return encode_by_length(texts, batch_size, self._batch)

    def _batch(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers strips (and, when configured, lowercases) before tokenizing
        texts = [t.strip().lower() if self.layout.lower_case else t.strip() for t in texts]
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        types = np.zeros((len(texts), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        vecs = _pool(hidden, mask, self.layout.pooling)
        vecs = vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
        return np.ascontiguousarray(vecs, dtype=np.float32)


def encode_by_length(texts: list[str], step: int, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """`encode` over the texts sorted by length, `step` at a time (little padding); the rows come
    back in the texts' order. The sort is stable, so the same texts give the same runs."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = None
    for start in range(0, len(order), step):
        idx = order[start:start + step]
        vecs = encode([texts[i] for i in idx])
        if out is None:
            out = np.empty((len(texts), vecs.shape[1]), dtype=np.float32)
        out[idx] = vecs
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def _pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """sentence-transformers' Pooling for one mode, over the unpadded tokens."""
    if mode == "cls":
        return hidden[:, 0]
    m = mask[..., None].astype(hidden.dtype)
    if mode == "max":
        return np.where(m > 0, hidden, -1e9).max(axis=1)
    return (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)


def default_cache_dir() -> Path:
    """Where exported models are kept: $NEWSGRAPH_CACHE, else the user's cache folder."""
    if os.environ.get("NEWSGRAPH_CACHE"):
        return Path(os.environ["NEWSGRAPH_CACHE"]) / "onnx"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsgraph" / "onnx"


def cached_onnx_path(cache_dir: Path, identity: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in identity)
    return cache_dir / f"{safe}.onnx"


def onnx_runtime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


def export_model(st_model, model_dir: Path, layout: ModelLayout, target: Path) -> bool:
    """Export the loaded SentenceTransformer's transformer to `target`; True when the export's
    vectors match torch's on the probe texts (else nothing is kept, and torch stays in use)."""
    import torch

    transformer = st_model[0].auto_model
    names = ["input_ids", "attention_mask", "token_type_ids"]
    probe = st_model.tokenize(["Ein Beispiel", "an example text"])
    names = [n for n in names if n in probe]

    class _Hidden(torch.nn.Module):
        """The transformer's last hidden state from positional inputs (what the exporter traces)."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors))).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx.part", dir=target.parent)
    os.close(fd)
    try:
        # the tracer warns about every data-dependent branch of the model; the probe check below
        # is what tells whether the export is right
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Hidden(transformer).eval(), tuple(probe[n] for n in names), tmp,
                              input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                              opset_version=17, dynamo=False)
        encoder = OnnxEncoder(Path(tmp), model_dir, layout, threads=1)
        expected = st_model.encode(PROBES, batch_size=len(PROBES), normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
        diff = float(np.abs(encoder.encode(PROBES, batch_size=len(PROBES)) - expected).max())
        if diff > _MAX_DIFF:
            log.warning("ONNX export of %s differs from torch by %.2g; staying on torch", model_dir, diff)
            return False
        os.replace(tmp, target)
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
