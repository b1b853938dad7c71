"""Numeric claims: every quantity a sentence states, with what, who, when and how sure.

For each sentence: quantities (`nlp.quantities.find_quantities` on the sentence,
offsets mapped to the document), then per quantity its subject
(`nlp.subjects`), measure (`nlp.measures`), time scope (`nlp.timescope`), and
per sentence its attribution (`nlp.attribution`) and hedging (`nlp.hedging`).
A conversion ("200.000 Yuan (ca. 28.000 Dollar)") shares subject, measure and
time with the amount it converts. Numbers that are part of a time expression
("in den nächsten drei Jahren") or of a product/index name ("S&P 500") are not
claims.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from nlp.attribution import Attribution, AttributionRules, SentenceEntity, find_attribution, load_attribution_rules
from nlp.coreference import (CoreferenceRules, gives, is_public, load_coreference_rules, may_be_antecedent,
                             resolve_references)
from nlp.hedging import HedgeRules, hedged_positions, load_hedge_rules
from nlp.measures import Measure, MeasureLexicon, find_cues, load_measures, measure_for, ratio_of
from nlp.quantities import find_quantities
from nlp.resources import lang_file, read_json, read_lines
from nlp.subjects import SubjectCandidate, find_subject
from nlp.timescope import TimeRules, assign_times, find_time_expressions, load_time_rules
from nlp.types import Citation, Claim, EntityMention, Quantity, Sentence

# Entities that swallow a number: "S&P 500", "GPT-4", "Nasdaq 100", "36Kr".
_NAME_LABELS = frozenset({"PRODUCT", "MISC", "ORG", "MEDIA"})
_NOT_SUBJECT = frozenset({"MEDIA"})
# Names whose words are no measure cues ("Siemens Energy", "Deutsche Post"); an index or
# programme name ("DAX", "Stargate Project") is.
_NAME_ONLY = frozenset({"ORG", "PER", "MEDIA", "LOC"})
_CONTEXT_SENTENCES = 3   # how far back a pronoun ("sagt er") may find its person
_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LanguageResources:
    """Everything claim assembly needs for one language, loaded once."""

    lang: str
    quantity_lang: str | None
    attribution: AttributionRules | None
    hedges: HedgeRules | None
    times: TimeRules | None
    measures: MeasureLexicon
    stopwords: frozenset[str]
    data_dir: str
    coreference: CoreferenceRules | None = None


@lru_cache(maxsize=32)
def load_resources(data_dir: str, lang: str) -> LanguageResources:
    return LanguageResources(
        lang=lang,
        quantity_lang=quantity_language(data_dir, lang),
        attribution=load_attribution_rules(data_dir, lang),
        hedges=load_hedge_rules(data_dir, lang),
        times=load_time_rules(data_dir, lang),
        measures=load_measures(data_dir, lang),
        stopwords=_stopwords(data_dir, lang),
        data_dir=data_dir,
        coreference=load_coreference_rules(data_dir, lang),
    )


def _stopwords(data_dir: str, lang: str) -> frozenset[str]:
    path = lang_file(Path(data_dir), "stopwords", lang, ".txt")
    return frozenset(w.lower() for w in read_lines(str(path))) if path else frozenset()


def quantity_language(data_dir: str, lang: str) -> str | None:
    """The number convention to read `lang` with (see data/languages.json), None if unknown."""
    path = Path(data_dir) / "languages.json"
    table = read_json(str(path)) if path.is_file() else {}
    conventions = table.get("quantity_language", {})
    return conventions.get(lang, table.get("default_quantity_language"))


@dataclass
class SentenceResult:
    """What one sentence contributed: its claims, its attribution (for citations) and the
    entities a generic noun in a later sentence may stand for (nlp/coreference.py)."""

    claims: list[Claim]
    attribution: Attribution
    antecedents: tuple[EntityMention, ...] = ()


@dataclass
class DocumentIndex:
    """Per-document lookups shared by its sentences: mentions by offset."""

    mentions: list[EntityMention]
    mention_starts: list[int]


def index_document(mentions: list[EntityMention]) -> DocumentIndex:
    ordered = sorted(mentions, key=lambda m: m.start)
    return DocumentIndex(mentions=ordered, mention_starts=[m.start for m in ordered])


def _sentence_entities(sentence: Sentence, index: DocumentIndex) -> list[EntityMention]:
    i = bisect_left(index.mention_starts, sentence.start)
    j = bisect_left(index.mention_starts, sentence.end)
    return [m for m in index.mentions[i:j] if m.end <= sentence.end]


def _may_contain(words: set[str], triggers: frozenset[str]) -> bool:
    """Prefilter: without trigger words (when the data file lists some) no cue can match."""
    return not triggers or not words.isdisjoint(triggers)


def _keep(q: Quantity, blockers: list[tuple[int, int]]) -> bool:
    return not any(s <= q.start and q.end <= e for s, e in blockers)


def sentence_claims(sentence: Sentence, index: int, doc: DocumentIndex,
                    res: LanguageResources, persons_before: tuple[str, ...] = (),
                    first_claim_index: int = 0, previous_count: Claim | None = None,
                    previous_text: str = "", previous_claims: tuple[Claim, ...] = (),
                    antecedents: tuple[EntityMention, ...] = ()) -> SentenceResult:
    """Claims of one sentence; `first_claim_index` is where they start in the document list.

    `previous_text` (the sentence before) may supply the context a measure
    needs: "Vor dem Preisverfall lag die Monatsmiete bei 180.000 Yuan" rents a
    server only because the sentence before says so (the caller adds the headline too).
    `previous_claims` (those of the sentence before) lend their measure to a bare
    figure of the same unit and rate that no cue names: "Der Klub erzielte einen
    Umsatz von 212 Mio. Euro. Der FC Nordhafen kam auf 148 Mio. Euro."
    `antecedents`: the entities of the sentences before that a generic noun ("das Vorhaben")
    of this one may stand for.
    """
    text, s0, s1 = sentence.text, sentence.start, sentence.end
    in_sentence = _sentence_entities(sentence, doc)
    rel = [SentenceEntity(m.start - s0, m.end - s0, m.text, m.label) for m in in_sentence]
    words = set(_WORDS.findall(text.lower()))
    attribution = find_attribution(text, rel, res.attribution, persons_before) \
        if res.attribution and _may_contain(words, res.attribution.triggers) else Attribution()
    # a source placed by "laut"/"according to" is not what the numbers are about; a company
    # that speaks for itself ("Nvidia said", "nach eigenen Angaben") may be
    source_spans = {span for span, kind in zip(attribution.spans, attribution.kinds)
                    if kind not in ("either", "own")}
    own_antecedents = tuple(m for m in in_sentence if res.coreference and may_be_antecedent(m, res.coreference)
                            and (m.start - s0, m.end - s0) not in source_spans)
    if res.quantity_lang is None:
        return SentenceResult([], attribution, own_antecedents)
    quantities = find_quantities(text, res.quantity_lang, res.data_dir)
    if not quantities:
        return SentenceResult([], attribution, own_antecedents)

    times = find_time_expressions(text, res.times)
    blockers = [(t.start, t.end) for t in times] + \
               [(e.start, e.end) for e in rel if e.label in _NAME_LABELS]
    kept = [i for i, q in enumerate(quantities) if _keep(q, blockers)]
    if not kept:
        return SentenceResult([], attribution, own_antecedents)
    new_index = {old: new for new, old in enumerate(kept)}
    quantities = [quantities[i] for i in kept]

    if (res.hedges and _may_contain(words, res.hedges.triggers)) or text.rstrip().endswith("?"):
        hedged = hedged_positions(text, [q.start for q in quantities], res.hedges)
    else:
        hedged = [False] * len(quantities)
    scopes = assign_times(text, times, [(q.start, q.end) for q in quantities], res.times)
    cue_hits = find_cues(text, res.measures, blocked=[(t.start, t.end) for t in times] +
                         [(e.start, e.end) for e in rel if e.label in _NAME_ONLY])
    source_spans |= {(e.start, e.end) for e in rel
                     if e.label == "PER" and (e.start, e.end) in set(attribution.spans)}
    speakers = set(attribution.spans)
    candidates = [
        SubjectCandidate(e.start - s0, e.end - s0, e.canonical or e.text, e.label,
                         speaker=(e.start - s0, e.end - s0) in speakers)
        for e in in_sentence
        if e.label not in _NOT_SUBJECT
        and (e.start - s0, e.end - s0) not in source_spans
        and not any(t.start <= e.start - s0 < t.end for t in times)
    ]
    public = {(e.start - s0, e.end - s0) for e in in_sentence if is_public(e, res.coreference)}
    references = resolve_references(text, res.coreference, antecedents, own_antecedents, s0) \
        if res.coreference else []
    claims = []
    stated = None   # the measure of the last non-multiple quantity, for ratios
    for q, scope, q_hedged in zip(quantities, scopes, hedged):
        measure = measure_for(text, q.start, q.end, q.unit, q.change, cue_hits, res.measures, q.per,
                              context=f"{previous_text} {text}")
        if measure.entry is not None and measure.entry.funded:
            # a subsidy is about its recipient, not about the public body or place that gives it
            q_candidates = [c for c in candidates if (c.start, c.end) not in public
                            and not (c.label == "LOC" and gives(text, c.end, q.start, res.coreference))]
        else:
            q_candidates = candidates
        subject = find_subject(text, q.start, q.end, q.unit, q_candidates, res.lang, res.stopwords, references)
        if measure.key is None and q.unit != "count" and q.conversion_of is None:
            same = [c for c in previous_claims if c.measure_key and c.unit == q.unit and c.per == q.per
                    and c.conversion_of is None]
            if same and len({c.measure_key for c in same}) == 1:
                measure = Measure(None, same[-1].measure_key)
        if measure.key is None and q.unit == "count" and previous_count is not None \
                and res.measures.anaphora is not None and res.measures.anaphora.match(text, q.end):
            # "Mindestens 150 davon ...": the things counted in the sentence before
            measure = Measure(previous_count.measure, previous_count.measure_key)
            subject = previous_count.subject
        if q.unit == "multiple" and q.change is None and stated is not None and stated.entry is not None:
            measure = ratio_of(stated, q.unit, q.change)
        elif q.unit != "multiple" and q.conversion_of is None:
            stated = measure
        conv = new_index.get(q.conversion_of) if q.conversion_of is not None else None
        claims.append(Claim(
            text=text, start=sentence.start + q.start, end=sentence.start + q.end, span=q.span,
            value=q.value, low=q.low, high=q.high, qualifier=q.qualifier, unit=q.unit, per=q.per,
            subject=subject, measure=measure.text, measure_key=measure.key, entities=list(in_sentence),
            time=scope.text if scope else None, attributed_to=list(attribution.names), hedged=q_hedged,
            lang=res.lang, sentence_index=index, sentence_start=sentence.start, change=q.change,
            conversion_of=None if conv is None else first_claim_index + conv,
            time_key=scope.key if scope else None,
        ))
    for i, c in enumerate(claims):
        if c.conversion_of is not None:
            orig = claims[c.conversion_of - first_claim_index]
            claims[i] = replace(c, subject=orig.subject, measure=orig.measure, measure_key=orig.measure_key,
                                time=orig.time, time_key=orig.time_key)
    return SentenceResult(claims, attribution, own_antecedents)


def _context_text(sentences: list[Sentence], i: int) -> str:
    """Where a context-bound measure looks besides its own sentence: the sentence before and the
    headline (the first sentence), which frames the article ("Vedder-Transfer: ...", "Leipzig rents
    rise ..."); the headline itself looks at the sentence after it, the lead."""
    if i == 0:
        return sentences[1].text if len(sentences) > 1 else ""
    return sentences[i - 1].text if i == 1 else f"{sentences[0].text} {sentences[i - 1].text}"


def document_claims(text: str, sentences: list[Sentence], mentions: list[EntityMention],
                    res: LanguageResources) -> tuple[list[Claim], list[Citation]]:
    """All claims of a document, and the "attribution" citations of all its sentences."""
    doc = index_document(mentions)
    claims: list[Claim] = []
    citations: list[Citation] = []
    persons: list[list[str]] = []
    last_count: Claim | None = None
    previous: tuple[Claim, ...] = ()
    antecedents: list[tuple[EntityMention, ...]] = []
    window = res.coreference.window if res.coreference else 0
    for i, sent in enumerate(sentences):
        recent = tuple(name for names in persons[-_CONTEXT_SENTENCES:] for name in names)
        result = sentence_claims(sent, i, doc, res, recent, first_claim_index=len(claims),
                                 previous_count=last_count, previous_text=_context_text(sentences, i),
                                 previous_claims=previous,
                                 antecedents=tuple(m for ms in antecedents[-window:] for m in ms)
                                 if window else ())
        antecedents.append(result.antecedents)
        previous = tuple(result.claims)
        claims.extend(result.claims)
        counts = [c for c in result.claims if c.unit == "count" and c.measure_key]
        if counts:
            last_count = counts[-1]
        elif last_count is not None and i - last_count.sentence_index >= _CONTEXT_SENTENCES:
            last_count = None
        for name, (s, _) in zip(result.attribution.names, result.attribution.spans):
            citations.append(Citation("attribution", name, sent.text, sent.start + s))
        persons.append([m.text for m in _sentence_entities(sent, doc) if m.label == "PER"])
    return claims, citations
