"""What a number is about, without a parser: positional heuristics over entities and nouns.

News sentences name the thing a figure belongs to close before it ("Nvidia
verlor 17 %", "ByteDance plant, rund 20 Mrd. ... zu investieren") or, for
counts and shares, right after it ("500 Datenzentrum-Projekte", "80 Prozent der
Rechenkapazität"). So, in order: the nearest entity before the number in its
clause; the counted noun / the "of"-phrase; the entity a generic noun before it
in its clause stands for ("fördern das Vorhaben mit 902 Mio.", nlp/coreference.py);
the nearest entity before it in the sentence; the first entity after it. Sources of the sentence ("laut 36Kr") and
media are never the subject. Gazetteer entities are given by canonical name so
that subjects group across articles and languages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.measures import unit_class

_SEGMENT_BREAK = re.compile(r"(?:[,:](?=\s)|[;–—()])")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_OF_DE = re.compile(r"\s+(?:der|des|von|vom|aller|seiner|ihrer)\s+", re.IGNORECASE)
_OF_EN = re.compile(r"\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class SubjectCandidate:
    start: int
    end: int
    name: str       # canonical name when known, else the text
    label: str
    speaker: bool = False   # also the sentence's source ("Nvidia said ..."): only a subject before the number


def _segment(text: str, pos: int) -> int:
    return len(_SEGMENT_BREAK.findall(text, 0, pos))


def _noun_after_de(text: str, pos: int, stopwords: frozenset[str]) -> str | None:
    """German: the next capitalized word, skipping up to two lowercase adjectives/adverbs."""
    skipped = 0
    for m in _WORD.finditer(text, pos):
        if re.search(r"[,;:.!?()]", text[pos:m.start()]):
            return None
        w = m.group()
        if w[0].isupper():
            return w
        if w[0].islower() and skipped < 2 and w.lower() not in stopwords:
            skipped += 1
            pos = m.end()
            continue
        return None
    return None


def _noun_after_en(text: str, pos: int, stopwords: frozenset[str]) -> str | None:
    """English: up to three content words right after the number ("data center projects")."""
    words = []
    for m in _WORD.finditer(text, pos):
        gap = text[pos:m.start()]
        if gap.strip() and not re.fullmatch(r"\s*-?\s*", gap):
            break
        w = m.group()
        if w.lower() in stopwords:
            break
        words.append(w)
        pos = m.end()
        if len(words) == 3:
            break
    return " ".join(words) or None


def _head_after(text: str, qend: int, unit: str, lang: str, stopwords: frozenset[str]) -> str | None:
    cls = unit_class(unit)
    if cls not in ("count", "percent"):
        return None
    noun_after = (lambda pos: _noun_after_de(text, pos, stopwords)) if lang == "de" else \
        (lambda pos: _noun_after_en(text, pos, stopwords))
    of = (_OF_DE if lang == "de" else _OF_EN).match(text, qend)
    if of:                      # "80 Prozent der Rechenkapazität", "150 der neuen Anlagen"
        return noun_after(of.end())
    return noun_after(qend) if cls == "count" else None


def find_subject(text: str, qstart: int, qend: int, unit: str, candidates: list[SubjectCandidate],
                 lang: str, stopwords: frozenset[str], references: list[SubjectCandidate] = ()) -> str | None:
    """The subject of the quantity at [qstart, qend) of sentence `text`, or None.

    `references`: generic nouns of the sentence resolved to the entity they stand for."""
    usable = [c for c in candidates if c.end <= qstart or c.start >= qend]
    before = [c for c in usable if c.end <= qstart]
    qseg = _segment(text, qstart)
    same_clause = [c for c in before if _segment(text, c.start) == qseg]
    if same_clause:
        return same_clause[-1].name
    head = _head_after(text, qend, unit, lang, stopwords) if lang in ("de", "en") else None
    if head:
        return head
    referring = [r for r in references if r.end <= qstart and _segment(text, r.start) == qseg]
    if referring:
        return referring[-1].name
    if before:
        return before[-1].name
    after = [c for c in usable if c.start >= qend and not c.speaker]
    return after[0].name if after else None
