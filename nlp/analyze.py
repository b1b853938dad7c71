"""The NLP stage's entry point: text in, `nlp.types.Analysis` out.

`Analyzer` owns its pipelines (one per language, built on first use and kept
in the instance, not in module globals) and the per-language data it needs.
Language: the caller's `lang` if given, else `detect_language(text, lang_hint)`.
Languages without their own data still get sentences, gazetteer entities,
links and quantities: numbers are read with the closest convention
(`data/languages.json`: decimal-comma languages like German, others like
English); attribution, hedging, time and measure rules then stay empty.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from nlp.citations import find_ai_disclosure_in, load_citation_rules, source_citations
from nlp.claims import document_claims, load_resources
from nlp.config import PipelineConfig, rules_signature
from nlp.doctext import make_doc
from nlp.language import detect_language, normalize_lang
from nlp.pipeline import build_pipeline
from nlp.sentences import doc_sentences
from nlp.tokencache import ChunkCache
from nlp.types import Analysis, Citation, EntityMention


class Analyzer:
    """Analyze documents; cheap to construct, pipelines are built lazily per language."""

    def __init__(self, config: PipelineConfig | None = None) -> None:
        self.config = config or PipelineConfig()
        self._pipelines: dict[str, Language] = {}
        self._chunk_caches: dict[str, ChunkCache] = {}
        self._data_dir = str(self.config.data_path)
        self._rules: str | None = None

    @property
    def rules(self) -> str:
        """The signature of the rules this analyzer applies (nlp.config.rules_signature), stored
        with each analysis so that newer rules analyze the article again."""
        if self._rules is None:
            self._rules = rules_signature(self.config)
        return self._rules

    def pipeline(self, lang: str) -> Language:
        nlp = self._pipelines.get(lang)
        if nlp is None:
            nlp = self._pipelines[lang] = build_pipeline(lang, self.config)
            self._chunk_caches[lang] = ChunkCache(nlp.tokenizer, self.config.token_cache_chunks)
        return nlp

    def _make_doc(self, lang: str, text: str) -> Doc:
        """The tokenized doc, with the tokenizer's chunk cache warmed for `text` first."""
        nlp = self.pipeline(lang)
        self._chunk_caches[lang].warm(text)
        return make_doc(nlp, text)

    def language_of(self, text: str, lang: str | None = None, lang_hint: str | None = None) -> str:
        return normalize_lang(lang) or detect_language(text, lang_hint, self.config.data_path)

    def analyze(self, text: str, lang: str | None = None, lang_hint: str | None = None) -> Analysis:
        code = self.language_of(text, lang, lang_hint)
        if not text or not text.strip():
            return Analysis(lang=code)
        return self._from_doc(self.pipeline(code)(self._make_doc(code, text)), code, text)

    def analyze_many(self, texts: Iterable[str], lang: str | None = None,
                     lang_hints: Sequence[str | None] | None = None) -> list[Analysis]:
        """Analyze many texts with `nlp.pipe`, batching texts of the same language."""
        texts = list(texts)
        hints = list(lang_hints) if lang_hints is not None else [None] * len(texts)
        codes = [self.language_of(t, lang, h) for t, h in zip(texts, hints)]
        out: list[Analysis | None] = [None] * len(texts)
        by_lang: dict[str, list[int]] = {}
        for i, (t, code) in enumerate(zip(texts, codes)):
            if t and t.strip():
                by_lang.setdefault(code, []).append(i)
            else:
                out[i] = Analysis(lang=code)
        for code, idxs in by_lang.items():
            nlp = self.pipeline(code)
            docs = nlp.pipe((self._make_doc(code, texts[i]) for i in idxs), batch_size=self.config.batch_size)
            for i, doc in zip(idxs, docs):
                out[i] = self._from_doc(doc, code, texts[i])
        return [a for a in out if a is not None]

    def _from_doc(self, doc: Doc, lang: str, text: str) -> Analysis:
        sentences = doc_sentences(doc, text)
        mentions = [
            EntityMention(text=e.text, label=e.label_, start=e.start_char, end=e.end_char,
                          canonical=e.id_ or None, kb_id=e.kb_id_ or None)
            for e in doc.ents
        ]
        res = load_resources(self._data_dir, lang)
        claims, attributions = document_claims(text, sentences, mentions, res)
        cite_rules = load_citation_rules(self._data_dir, lang)
        citations: list[Citation] = sorted(source_citations(text, cite_rules) + attributions,
                                           key=lambda c: (c.start, c.kind))
        return Analysis(
            lang=lang, sentences=sentences, mentions=mentions, claims=claims, citations=citations,
            ai_disclosure=find_ai_disclosure_in(text, [(s.start, s.end) for s in sentences], cite_rules),
        )
