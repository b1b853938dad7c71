"""Claim subjects named only by a definite generic noun: "das Vorhaben", "das Unternehmen", "the project".

News names a company once and then refers to it or its project by a generic
noun: "Der Hersteller X baut bei Prenzlau ... Bund und Land fördern das
Vorhaben mit 902 Mio. Euro." A figure whose clause names nothing but such a
noun is about that entity, so the noun takes the one named entity of a
compatible label (`antecedent_labels`, data/coreference/<lang>.json) that the
article names before it, in its sentence and the few sentences before. The
rule is conservative, because a wrong subject joins figures of different
things: two candidates in that window (two companies) resolve to nothing; a
plural ("die Unternehmen"), a noun with a name of its own ("das Projekt
„Sonnenfeld“", "the project Stargate") and a noun inside a compound
("Unternehmensangaben") are no reference; public bodies ("EU-Kommission") and
a sentence's sources ("laut X") are never antecedents; facility nouns ("das
Werk", "the plant") are not in the data, because a company has several plants.

The same list of public bodies, and a place before a verb of giving, tell who
gives a subsidy (`is_public`, `gives`): such a giver is never the subject of a
`funded` measure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.resources import DataFileError, lang_file, read_json
from nlp.subjects import SubjectCandidate
from nlp.types import EntityMention


@dataclass(frozen=True)
class CoreferenceRules:
    phrase: re.Pattern               # determiner, up to two lowercase adjectives, generic noun
    own_name: re.Pattern | None      # right after the noun: it has a name of its own
    labels: frozenset[str]
    public_bodies: tuple[str, ...]   # lowercase word parts of the names of public bodies
    window: int                      # sentences before the noun's own sentence
    giving: re.Pattern | None = None  # verbs of giving money ("fördern", "providing")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


def _phrase_regex(determiners: dict[str, list[str]], nouns: dict[str, list[str]], genitive: dict) -> str:
    """Determiner, up to two lowercase adjectives, noun: each noun after the singular determiners of its
    gender (a plural of the same form, "die Unternehmen", is no reference), and with a genitive
    suffix after the genitive determiners ("des Unternehmens")."""
    def dets(words: list[str]) -> str:
        return _alternation([w for d in words for w in (d, d[:1].upper() + d[1:])])

    adjectives = r"[ \t]+(?:[a-zäöüß][\w\-]*[ \t]+){0,2}?"
    parts = [f"(?:{dets(determiners[gender])}){adjectives}(?:{_alternation(words)})"
             for gender, words in nouns.items()]
    if genitive:
        inflected = [w for gender in genitive["genders"] for w in nouns[gender]]
        parts.append(f"(?:{dets(genitive['determiners'])}){adjectives}(?:{_alternation(inflected)})"
                     f"(?:{_alternation(genitive['suffixes'])})")
    return r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w\-])"


@lru_cache(maxsize=32)
def load_coreference_rules(data_dir: str, lang: str) -> CoreferenceRules | None:
    path = lang_file(Path(data_dir), "coreference", lang, ".json")
    if path is None:
        return None
    data = read_json(str(path))
    try:
        phrase = re.compile(_phrase_regex(data["determiners"], data["nouns"], data.get("genitive", {})))
        own_name = re.compile(data["own_name"]) if data.get("own_name") else None
    except (re.error, KeyError) as exc:
        raise DataFileError(f"{path}: invalid pattern: {exc}") from exc
    return CoreferenceRules(
        phrase=phrase, own_name=own_name, labels=frozenset(data.get("antecedent_labels", ["ORG"])),
        public_bodies=tuple(w.lower() for w in data.get("public_bodies", [])),
        window=int(data.get("window_sentences", 4)),
        giving=re.compile(rf"(?<!\w)(?:{_alternation(data['giving_verbs'])})(?!\w)", re.IGNORECASE)
        if data.get("giving_verbs") else None,
    )


def is_public_body(name: str, rules: CoreferenceRules) -> bool:
    """"EU-Kommission", "Bundesregierung", "Economy Ministry": funds or approves, builds nothing."""
    return any(w in name.lower() for w in rules.public_bodies)


def is_public(m: EntityMention, rules: CoreferenceRules | None) -> bool:
    """A public body as written or by its canonical name (gazetteer names may be in another
    language); never without rules for the language."""
    return rules is not None and (is_public_body(m.text, rules) or is_public_body(m.canonical or "", rules))


def may_be_antecedent(m: EntityMention, rules: CoreferenceRules) -> bool:
    """A named entity of a compatible label that is no public body."""
    return m.label in rules.labels and not is_public(m, rules)


def gives(text: str, end: int, qstart: int, rules: CoreferenceRules | None) -> bool:
    """Does a verb of giving stand between a name ending at `end` and the number at `qstart`?
    A place is who gives a subsidy in "Bayern fördert das Vorhaben mit 5 Mio.", "Germany is
    providing €902 million in state aid", but what it is about in "Leipzig erhält 5 Mio."."""
    return rules is not None and rules.giving is not None and end <= qstart \
        and rules.giving.search(text, end, qstart) is not None


def referring_phrases(text: str, rules: CoreferenceRules) -> list[tuple[int, int]]:
    """(start, end) in `text` of the definite generic nouns that have no name of their own."""
    return [m.span() for m in rules.phrase.finditer(text)
            if rules.own_name is None or not rules.own_name.match(text, m.end())]


def resolve_references(text: str, rules: CoreferenceRules, before: tuple[EntityMention, ...],
                       in_sentence: tuple[EntityMention, ...], s0: int) -> list[SubjectCandidate]:
    """The generic nouns of sentence `text` (at document offset `s0`) that stand for exactly one
    entity, as subject candidates (sentence offsets, the entity's name).

    `before`: the antecedents of the sentences in the window before this one;
    `in_sentence`: this sentence's antecedents (only those before a noun count for it).
    """
    out = []
    for start, end in referring_phrases(text, rules):
        named = {m.canonical or m.text: m for m in (*before, *(m for m in in_sentence if m.end <= s0 + start))}
        if len(named) == 1:
            (name, m), = named.items()
            out.append(SubjectCandidate(start, end, name, m.label))
    return out
