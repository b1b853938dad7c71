"""Settings of the NLP stage, passed explicitly to `Analyzer` and `build_pipeline`.

A plain dataclass so the CLI can build it from `newsgraph.Settings` and tests can
build it inline; nothing in `nlp/` reads environment variables or global state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"


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
