"""Settings of the NLP stage, passed explicitly to `Analyzer` and `build_pipeline`.

A plain dataclass so the CLI can build it from `newsgraph.Settings` and tests can
build it inline; nothing in `nlp/` reads environment variables or global state.
"""
from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"

# Bump with every change to nlp/ code that changes what it extracts: stored articles are then
# analyzed again (see `rules_signature`). Changes of the data files count by themselves.
NLP_RULES_VERSION = "2026-11-21.1"


@dataclass
class PipelineConfig:
    """How to build and run the spaCy pipelines.

    trained_model: one installed trained pipeline (e.g. "de_core_news_md") used for
        the language it was trained on; never required, ignored when not installed.
    trained_models: per-language trained pipelines, {"de": "de_core_news_md", ...};
        wins over `trained_model` for its languages.
    data_dir: folder with the data files (gazetteer, cue lists, ...); defaults to
        the package's `nlp/data`. Point it at a copy to try new lists without code changes.
    batch_size: documents per `nlp.pipe` batch in `Analyzer.analyze_many`.
    max_length: spaCy's `nlp.max_length` (characters per document).
    token_cache_chunks: distinct whitespace-separated chunks whose tokens are cached
        per language (`nlp.tokencache`); ~100 bytes each. A few 100,000 cover the
        words that recur across articles; beyond that new chunks are tokenized uncached.
    """

    trained_model: str | None = None
    trained_models: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None
    batch_size: int = 32
    max_length: int = 2_000_000
    token_cache_chunks: int = 200_000

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir is not None else DEFAULT_DATA_DIR

    def model_for(self, lang: str) -> str | None:
        """The trained pipeline name configured for `lang`, if any.

        A single `trained_model` applies to the language named by its prefix
        ("de_core_news_md" -> "de"); "xx_" models apply to any language.
        """
        if lang in self.trained_models:
            return self.trained_models[lang]
        name = self.trained_model
        if name and (name.split("_", 1)[0] in (lang, "xx")):
            return name
        return None


def rules_signature(config: PipelineConfig) -> str:
    """What an article's analysis depends on: the NLP rules version, the contents of every
    data file (cue lists, gazetteer, patterns), and which trained pipelines are configured
    and installed.

    Stored with each analyzed article (graph.store); when it differs, `newsgraph run`
    analyzes the article again, so an upgrade or an edited cue list never leaves claims of
    the old rules beside new ones. Prose files (*.md) are left out: they change nothing.
    """
    h = hashlib.sha1(NLP_RULES_VERSION.encode())
    root = config.data_path
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and p.suffix != ".md" and "__pycache__" not in p.parts)
    for path in files:
        h.update(f"\x1f{path.relative_to(root).as_posix()}=".encode())
        h.update(hashlib.sha1(path.read_bytes()).digest())
    models = sorted({config.trained_model or "", *config.trained_models.values()} - {""})
    for name in models:
        h.update(f"\x1fmodel={name}:{importlib.util.find_spec(name) is not None}".encode())
    return h.hexdigest()[:16]
