"""Builders for the linking tests: articles with hand-written claims, stored through graph.store.

The sentences are our own; figures follow the public DeepSeek / data-centre
story. Offsets are computed from the text, so a test reads like the article.
"""
from __future__ import annotations

import pytest

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from graph.store import save_analysis, save_document
from graph.types import ClaimRecord
from ingest.types import Document, content_hash
from nlp.types import Analysis, Citation, Claim, EntityMention, Sentence


@dataclass
class Ent:
    text: str
    label: str = "ORG"
    kb_id: str | None = None
    canonical: str | None = None


@dataclass
class C:
    """A claim as a test states it: the sentence, the quantity's span and what NLP would say."""

    sentence: str
    span: str
    value: float
    unit: str = "USD"
    qualifier: str = "exact"
    low: float | None = None
    high: float | None = None
    subject: str | None = None
    measure_key: str | None = None
    entities: list[Ent] = field(default_factory=list)
    time: str | None = None
    time_key: str | None = None
    attributed_to: list[str] = field(default_factory=list)
    hedged: bool = False
    per: str | None = None
    change: str | None = None
    conversion_of: int | None = None    # index of the converted claim in the same article


def _bounds(c: C) -> tuple[float | None, float | None]:
    if c.low is not None or c.high is not None:
        return c.low, c.high
    return {"exact": (c.value, c.value), "upper_bound": (None, c.value),
            "lower_bound": (c.value, None), "approx": (c.value * 0.95, c.value * 1.05)}.get(
        c.qualifier, (c.value, c.value))


def analysis_for(text: str, claims: list[C], lang: str, extra_text_entities: list[Ent] = (),
                 ai_disclosure: str | None = None, citations: list[Citation] = ()) -> Analysis:
    out_claims, mentions, sentences = [], {}, []
    sentence_index: dict[str, int] = {}
    for c in claims:
        i = sentence_index.setdefault(c.sentence, len(sentence_index))
        s_start = text.index(c.sentence)
        local = c.sentence.index(c.span)
        ents = []
        for e in c.entities:
            e_local = c.sentence.index(e.text)
            m = EntityMention(e.text, e.label, s_start + e_local, s_start + e_local + len(e.text),
                              e.canonical, e.kb_id)
            ents.append(m)
            mentions[(m.start, m.end)] = m
        low, high = _bounds(c)
        claim = Claim(
            text=c.sentence, start=s_start + local, end=s_start + local + len(c.span), span=c.span,
            value=c.value, low=low, high=high, qualifier=c.qualifier, unit=c.unit, per=c.per,
            subject=c.subject, measure=c.measure_key.replace("_", " ") if c.measure_key else None,
            measure_key=c.measure_key, entities=ents, time=c.time, attributed_to=list(c.attributed_to),
            hedged=c.hedged, lang=lang, sentence_index=i, sentence_start=s_start, change=c.change,
            conversion_of=c.conversion_of, time_key=c.time_key,
        )
        out_claims.append(claim)
        if i == len(sentences):
            sentences.append(Sentence(s_start, s_start + len(c.sentence), c.sentence))
    for e in extra_text_entities:
        start = text.index(e.text)
        mentions[(start, start + len(e.text))] = EntityMention(e.text, e.label, start, start + len(e.text),
                                                               e.canonical, e.kb_id)
    return Analysis(lang=lang, sentences=sentences, mentions=sorted(mentions.values(), key=lambda m: m.start),
                    claims=out_claims, citations=list(citations), ai_disclosure=ai_disclosure)


def add_article(conn, url: str, source: str, published: str | None, text: str, claims: list[C],
                lang: str = "de", mentions: list[Ent] = (), ai_disclosure: str | None = None,
                citations: list[Citation] = (), links: list[tuple[str, str]] = ()) -> str:
    """Store one article and its analysis in the record; return the article id."""
    doc = Document(
        url=url, canonical_url=url, source=source, title=None, author=None, published=published,
        language=lang, text=text, content_hash=content_hash(text),
        fetched_at=datetime(2025, 6, 1, tzinfo=timezone.utc).isoformat(), links=list(links),
    )
    article_id, _ = save_document(conn, doc)
    save_analysis(conn, article_id, doc.content_hash,
                  analysis_for(text, claims, lang, list(mentions), ai_disclosure, citations))
    return article_id


def record(claim_id: str, article_id: str, source: str, published: str | None, c: C, lang: str = "de",
           text: str | None = None) -> ClaimRecord:
    """A ClaimRecord without a record file, for the pure functions."""
    text = text or c.sentence
    a = analysis_for(text, [c], lang)
    return ClaimRecord(claim_id=claim_id, article_id=article_id, source=source, url=f"https://{source}/{article_id}",
                       published=published, author=None, claim=replace(a.claims[0], conversion_of=None))


# -- fixtures shared by the linking test modules (import them by name) -------------------------------

@pytest.fixture(scope="module")
def embedder():
    from graph.embeddings import Embedder
    from graph.link_config import LinkConfig

    config = LinkConfig()
    return Embedder(config.embedding_model, config.batch_size)


@pytest.fixture
def conn(tmp_path):
    from graph.record import open_record

    c = open_record(tmp_path / "record.db")
    yield c
    c.close()
