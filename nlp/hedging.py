"""Is a sentence's content hedged (reported, alleged, uncertain)?

Fact-checkers weigh "kostete angeblich 5,6 Mio." differently from "kostete
5,6 Mio.", so every claim carries `hedged`. The cues are evidential: hearsay
("soll ... gekostet haben", "reportedly", "Berichten zufolge"), allegation
("mutmaßlich", "allegedly"), explicit doubt ("möglicherweise", "unbestätigt",
"unter der Voraussetzung, dass ..."), speculative past ("may have spent"), and
questions. Forecasts ("könnte", "could lift", "is expected to") are statements
about the future, not doubts about a fact, and are not hedges. Cue lists live
in `data/hedges/<lang>.json`; German "soll(en)" is only reportative when its
clause has a perfect infinitive or a stative verb (see the data file).
A `number_cues` entry ("a reported $6.1bn") hedges only the figure right after it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.config import DEFAULT_DATA_DIR
from nlp.resources import lang_file, read_json

_CLAUSE_END = re.compile(r"[,:](?=\s)|[;–—()]|\s-\s|$")   # not the comma of "1,8"


@dataclass(frozen=True)
class HedgeRules:
    cues: tuple[re.Pattern, ...]
    modal: re.Pattern | None
    perfect_infinitive: re.Pattern | None
    reportative_verbs: re.Pattern | None
    questions_hedged: bool
    clause_breaks: re.Pattern | None
    triggers: frozenset[str]
    plan_markers: re.Pattern | None = None
    attributive_scope: re.Pattern | None = None   # cue + adjective + noun: the cue doubts the adjective
    number_cues: tuple[re.Pattern, ...] = ()      # hedge only the figure right after them ("a reported $6bn")
    plan_subjects: tuple[str, ...] = ()           # "Das Werk soll ... beschäftigen": a thing being built plans
    plan_subject_exceptions: frozenset[str] = frozenset()   # "Netzwerk": a compound naming nothing built


@lru_cache(maxsize=32)
def load_hedge_rules(data_dir: str, lang: str) -> HedgeRules | None:
    path = lang_file(Path(data_dir), "hedges", lang, ".json")
    if path is None:
        return None
    data = read_json(str(path))
    verbs = data.get("reportative_verbs") or []
    verb_flags = 0 if data.get("reportative_verbs_case_sensitive") else re.IGNORECASE
    return HedgeRules(
        cues=tuple(re.compile(c, re.IGNORECASE) for c in data.get("cues", [])),
        modal=re.compile(data["reportative_modal"], re.IGNORECASE) if data.get("reportative_modal") else None,
        perfect_infinitive=re.compile(data["perfect_infinitive"], re.IGNORECASE)
        if data.get("perfect_infinitive") else None,
        reportative_verbs=re.compile(r"\b(?:" + "|".join(map(re.escape, verbs)) + r")\b", verb_flags)
        if verbs else None,
        questions_hedged=bool(data.get("questions_hedged", False)),
        clause_breaks=re.compile(data["clause_breaks"], re.IGNORECASE) if data.get("clause_breaks") else None,
        triggers=frozenset(w.lower() for w in data.get("triggers", [])),
        plan_markers=re.compile(data["plan_markers"], re.IGNORECASE) if data.get("plan_markers") else None,
        attributive_scope=re.compile(data["attributive_scope"]) if data.get("attributive_scope") else None,
        number_cues=tuple(re.compile(c, re.IGNORECASE) for c in data.get("number_cues", [])),
        plan_subjects=tuple(w.lower() for w in data.get("plan_subjects", [])),
        plan_subject_exceptions=frozenset(w.lower() for w in data.get("plan_subject_exceptions", [])),
    )


_WORD = re.compile(r"[^\W\d_][\w-]*")
_DETERMINERS = frozenset("der die das dieser diese dieses jener jene jenes ein eine unser unsere".split())


def _plan_subject(before: str, clause: str, rules: HedgeRules) -> bool:
    """Is the subject of "soll" a thing being built ("Das neue Werk soll", "soll die Chipfabrik")?"""
    if not rules.plan_subjects:
        return False

    def built(word: str) -> bool:
        low = word.lower()
        return low.endswith(rules.plan_subjects) and low not in rules.plan_subject_exceptions

    words = _WORD.findall(before[-60:])
    if words and words[-1][:1].isupper() and built(words[-1]):
        return True                                # "Das Werk soll ..."
    after = _WORD.findall(clause[:80])[:4]
    if not after or after[0].lower() not in _DETERMINERS:
        return False
    for word in after[1:]:                         # "soll die neue Chipfabrik ...": determiner, adjectives, noun
        if word[:1].isupper():
            return built(word)
    return False


def _reportative_modal(text: str, rules: HedgeRules, before: str = "") -> re.Match | None:
    if rules.modal is None:
        return None
    for m in rules.modal.finditer(text):
        end = _CLAUSE_END.search(text, m.end())
        clause = text[m.end():end.start() if end else len(text)]
        perfect = rules.perfect_infinitive is not None and rules.perfect_infinitive.search(clause)
        if rules.plan_markers is not None and rules.plan_markers.search(clause) and not perfect:
            continue    # "soll 2027 eröffnet werden und 120 Mio. kosten": a plan
        if not perfect and _plan_subject(before + text[:m.start()], clause, rules):
            continue    # "Das Werk soll 3.000 Menschen beschäftigen": a plan
        if (rules.perfect_infinitive and rules.perfect_infinitive.search(clause)) or \
                (rules.reportative_verbs and rules.reportative_verbs.search(clause)):
            return m
    return None


def _is_question(text: str, rules: HedgeRules) -> bool:
    return rules.questions_hedged and text.rstrip().rstrip("\"'“”»«’").endswith("?")


def hedge_cues(text: str, rules: HedgeRules | None) -> list[tuple[int, str]]:
    """(position, cue) of every hedge in a sentence; a question is hedged at position 0."""
    if rules is None:
        return []
    found = [(m.start(), m.group(0)) for rx in rules.cues for m in rx.finditer(text)
             if not (rules.attributive_scope and rules.attributive_scope.match(text, m.end()))]
    found += [(m.start(), m.group(0)) for rx in rules.number_cues for m in rx.finditer(text)]
    if rules.modal is not None:
        for m in rules.modal.finditer(text):
            if _reportative_modal(text[m.start():], rules, text[:m.start()]):
                found.append((m.start(), m.group(0)))
    if _is_question(text, rules):
        found.append((0, "?"))
    return sorted(found)


def find_hedge(text: str, rules: HedgeRules | None) -> str | None:
    """The first cue that hedges `text` (a sentence), or None."""
    cues = hedge_cues(text, rules)
    return cues[0][1] if cues else None


def hedged_positions(text: str, positions: list[int], rules: HedgeRules | None) -> list[bool]:
    """For each position (of a number) in a sentence: does a hedge cover it?

    A hedge covers its own part of the sentence (parts split at `clause_breaks`,
    e.g. "..., doch nach Medienberichten ..."); a question covers all of it.
    """
    cues = hedge_cues(text, rules)
    if not cues:
        return [False] * len(positions)
    if rules is not None and _is_question(text, rules):
        return [True] * len(positions)
    # a cue before a figure ("a reported $6.1bn") hedges that figure only
    number_ends = [m.end() for rx in rules.number_cues for m in rx.finditer(text)] if rules else []
    cues = [(p, c) for p, c in cues if not any(p + len(c) == e for e in number_ends)]
    breaks = [m.start() for m in rules.clause_breaks.finditer(text)] if rules and rules.clause_breaks else []

    def part(pos: int) -> int:
        return sum(1 for b in breaks if b <= pos)

    hedged_parts = {part(p) for p, _ in cues}
    return [part(p) in hedged_parts or any(0 <= p - e <= 2 for e in number_ends) for p in positions]


def is_hedged(text: str, lang: str, data_dir: Path | None = None) -> bool:
    return find_hedge(text, load_hedge_rules(str(data_dir or DEFAULT_DATA_DIR), lang)) is not None
