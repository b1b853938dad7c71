"""Sentence boundaries for news text, as a pure function and as a spaCy component.

News text breaks generic splitters in two ways: abbreviations and ordinal dates
("ca. 5,6 Mio. US-Dollar", "am 29. März", "z. B.", "U.S. officials") end in a
period that is no sentence end, and extracted articles put headings, bullets and
paragraphs on their own lines without final punctuation. So a boundary is
placed (1) at every paragraph break and at a line break that is not a wrapped
line, and (2) after [.!?…] + whitespace + a capitalized/quoted/numeric start,
unless the period belongs to an abbreviation or an ordinal. The word lists
live in `data/abbreviations/<lang>.txt`; unknown languages get the generic
rules (line breaks, punctuation, initials, dotted acronyms).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from nlp.config import DEFAULT_DATA_DIR
from nlp.doctext import doc_text
from nlp.resources import lang_file, read_lines, read_sections
from nlp.types import Sentence

_LINE_BREAK = re.compile(r"[ \t\r\f\v\u00a0]*\n\s*")
_END = re.compile(r"([.!?…]+)([\"'»«“”‘’)\]]*)[ \t\u00a0]+(?=\S)")
_OPENERS = set("\"'„“‚‘«»([•–-—*·▪")
_BULLET = re.compile(r"[•·▪‣◦*\-–—]+\s+")
_OPEN_PUNCT = "([{„“\"'‚‘«»"
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.S" / "e.g" / "z.B" before the final "."
_NUMBER = re.compile(r"\d{1,2}")
_NEXT_WORD = re.compile(r"[\"'„“‚‘«»(\[]*([^\W\d_][\w'’-]*)")


@dataclass(frozen=True)
class SegmentationRules:
    """Word lists for one language; abbreviation keys have spaces removed ("z.B.")."""

    abbreviations: frozenset[str]
    may_end: frozenset[str]
    months: frozenset[str]
    ordinal_words: frozenset[str]
    function_words: frozenset[str]


def _squash(entry: str) -> str:
    return entry.replace(" ", "")


@lru_cache(maxsize=32)
def load_rules(data_dir: str, lang: str) -> SegmentationRules:
    path = lang_file(Path(data_dir), "abbreviations", lang, ".txt")
    sections = read_sections(str(path)) if path else {}
    stop_path = lang_file(Path(data_dir), "stopwords", lang, ".txt")
    stops = frozenset(w.lower() for w in read_lines(str(stop_path))) if stop_path else frozenset()
    return SegmentationRules(
        abbreviations=frozenset(_squash(a) for a in sections.get("abbreviations", ())),
        may_end=frozenset(_squash(a) for a in sections.get("may_end", ())),
        months=frozenset(sections.get("months", ())),
        ordinal_words=frozenset(w.lower() for w in sections.get("ordinal_words", ())),
        function_words=stops,
    )


def _line_boundaries(text: str) -> list[int]:
    """Starts of lines that begin a new sentence (paragraphs, headings, bullets)."""
    out = []
    for m in _LINE_BREAK.finditer(text):
        nxt = m.end()
        if nxt >= len(text):
            continue
        if m.group().count("\n") < 2 and m.start() > 0:
            prev = text[m.start() - 1]
            # A hard-wrapped line continues mid-sentence: lowercase on both sides.
            if (prev.islower() or prev in ",;-–(") and text[nxt].islower():
                continue
        out.append(nxt)
    return out


def _period_is_boundary(text: str, dot: int, nxt: int, rules: SegmentationRules) -> bool:
    """Decide for a single "." at `dot` followed by a sentence-like start at `nxt`."""
    before = text[max(0, dot - 40):dot].split()
    if not before:
        return True
    last = before[-1].lstrip(_OPEN_PUNCT)
    m = _NEXT_WORD.match(text, nxt)
    next_word = m.group(1) if m else ""
    next_is_function_word = next_word.lower() in rules.function_words

    candidates = [last + "."]
    if len(before) > 1:
        candidates.append(before[-2].lstrip(_OPEN_PUNCT) + last + ".")
    if len(before) > 2:
        candidates.append(before[-3].lstrip(_OPEN_PUNCT) + before[-2] + last + ".")
    for cand in candidates:
        if cand in rules.abbreviations:
            return False
        if cand in rules.may_end:
            return next_is_function_word
    if len(last) == 1 and last.isalpha() and last.isupper():
        return next_is_function_word          # an initial: "Donald J. Trump"
    if _DOTTED.fullmatch(last):
        return next_is_function_word          # unlisted dotted acronym: "U.S", "z.B"
    if _NUMBER.fullmatch(last):
        if next_word in rules.months:
            return False                      # "29. März"
        if len(before) > 1 and before[-2].lower() in rules.ordinal_words and next_word[:1].isupper():
            return False                      # "im 21. Jahrhundert", "am 3. Juni"
    return True


def sentence_starts(text: str, rules: SegmentationRules) -> list[int]:
    """Sorted character offsets where sentences start (0 is always one)."""
    starts = set(_line_boundaries(text))
    for m in _END.finditer(text):
        nxt = m.end()
        ch = text[nxt]
        if not (ch.isupper() or ch.isdigit() or ch in _OPENERS):
            continue
        if m.group(1) == "." and not m.group(2):
            if not _period_is_boundary(text, m.start(1), nxt, rules):
                continue
        starts.add(nxt)
    starts.add(0)
    return sorted(starts)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) to drop surrounding whitespace and a leading bullet."""
    while start < end and text[start].isspace():
        start += 1
    m = _BULLET.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, rules: SegmentationRules) -> list[tuple[int, int]]:
    """(start, end) character spans of the non-empty sentences of `text`."""
    starts = sentence_starts(text, rules)
    bounds = starts + [len(text)]
    spans = []
    for a, b in zip(bounds, bounds[1:]):
        s, e = trim_span(text, a, b)
        if e > s:
            spans.append((s, e))
    return spans


def doc_sentences(doc: Doc, text: str | None = None) -> list[Sentence]:
    """The doc's sentences (from `doc.sents`) as trimmed `Sentence` records (`text`: doc.text, if known)."""
    text = doc_text(doc) if text is None else text
    out = []
    for sent in doc.sents:
        s, e = trim_span(text, sent.start_char, sent.end_char)
        if e > s:
            out.append(Sentence(start=s, end=e, text=text[s:e]))
    return out


class NewsSentenceSegmenter:
    """Sets `Token.is_sent_start` on every token from `sentence_starts`."""

    def __init__(self, name: str, rules: SegmentationRules) -> None:
        self.name = name
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        starts = sentence_starts(doc_text(doc), self.rules)
        # One array write instead of n Token.is_sent_start assignments (each checks the parse).
        idx = doc.to_array(IDX).reshape(-1).astype("int64")
        first_tokens = numpy.searchsorted(idx, numpy.asarray(starts, dtype="int64"), side="left")
        values = numpy.full(n, -1, dtype="int64")
        values[first_tokens[first_tokens < n]] = 1
        values[0] = 1
        doc.from_array([SENT_START], values.view("uint64").reshape(n, 1))
        return doc


@Language.factory(
    "newsgraph_sentences",
    default_config={"data_dir": None, "lang": None},
)
def make_sentence_segmenter(nlp: Language, name: str, data_dir: str | None,
                            lang: str | None) -> NewsSentenceSegmenter:
    """Factory: rules for `lang` (default nlp.lang) from `data_dir` (default: the package data)."""
    return NewsSentenceSegmenter(name, load_rules(str(data_dir or DEFAULT_DATA_DIR), lang or nlp.lang))
