"""Who a sentence says its numbers come from ("laut 36Kr", "sagte Trump", "according to the IEA").

Cues and word lists are data (`data/attribution/<lang>.json`); this module only
knows where a source can stand relative to its cue:

* after it: "laut X", "nach Angaben des X", "einem Bericht von X zufolge",
  "according to X", "citing X";
* right before it: "X zufolge", "X sagte", "X estimates", "X have reported";
* after a speech verb: "..., sagte Finanzvorstand X", "said chief financial
  officer X", or a pronoun (", sagt er") resolved to the last named person;
* in a group the cue pattern marks: "wie X mitteilte", "nach einer X-Umfrage";
* "nach eigenen Angaben": the organisation or person the sentence is about.

Entities from the pipeline are preferred; without one, the capitalized phrase at
that place (articles, adjectives, report nouns and titles dropped). Names are
returned as written in the text ("Handelsblatts", "Trump") because that is what
a reader can find in the article; the entity's canonical name and id stay on
its EntityMention. Generic subjects ("Analysten", "people familiar with the
matter") name no source and yield nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.config import DEFAULT_DATA_DIR
from nlp.regex_scan import WordStartScanner
from nlp.resources import DataFileError, lang_file, read_json

SOURCE_LABELS = frozenset({"ORG", "PER", "MEDIA", "LOC", "MISC"})
# Clause ends; a quote mark right before a word opens a quoted name ("der „Bild“") and ends nothing.
_CLAUSE_BREAK = re.compile(
    r"[,:](?=\s)|[;!?()]|[“”\"„»«](?![^\W_])|\.(?=\s|$)|\s[-–—]\s|\s(?:dass|daß|that|weil|because|which|who)\s")
_TOKEN = re.compile(r"[^\s]+")
_PUNCT = "„“”\"'»«‚‘’,;:.!?()[]"


@dataclass(frozen=True)
class SentenceEntity:
    """An entity with offsets relative to the sentence text."""

    start: int
    end: int
    text: str
    label: str


@dataclass(frozen=True)
class Attribution:
    names: tuple[str, ...] = ()
    cue: str | None = None
    spans: tuple[tuple[int, int], ...] = ()   # sentence-relative spans of the names
    # per name: how the cue placed it ("after", "before", "either", "group", "own"); a
    # speaker ("Nvidia said", "nach eigenen Angaben") may also be what the numbers are about
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Cue:
    regex: re.Pattern
    source: str
    entities_only: bool = False   # a prenominal source ("A YouGov poll") must be a found name


@dataclass(frozen=True)
class AttributionRules:
    cues: tuple[_Cue, ...]
    determiners: frozenset[str]
    report_nouns: frozenset[str]
    generic: frozenset[str]
    not_sources: frozenset[str]
    title: re.Pattern | None
    pronouns: frozenset[str]
    auxiliaries: frozenset[str]
    passive_before: frozenset[str]
    connectors: frozenset[str]
    coordinators: frozenset[str]
    prepositions: frozenset[str]
    passive_markers: frozenset[str]
    relative_pronouns: frozenset[str]
    common_noun_endings: tuple[str, ...]
    triggers: frozenset[str]
    scanner: WordStartScanner                # the matches of every cue (same as finditer, faster)
    generic_heads: tuple[str, ...] = ()     # generic and report words long enough to head a compound
    name_prefixes: tuple[str, ...] = ()     # a compound starting so is an institution ("Bundesnetzagentur")
    generic_alone: frozenset[str] = frozenset()   # no name alone ("des Verbands"), but in one
    addressee_articles: frozenset[str] = frozenset()   # "X der Nachrichtenagentur Y sagte": Y is spoken to
    addressee_after_verb: frozenset[str] = frozenset()  # "sagte ein Sprecher dem Handelsblatt"


@lru_cache(maxsize=32)
def load_attribution_rules(data_dir: str, lang: str) -> AttributionRules | None:
    path = lang_file(Path(data_dir), "attribution", lang, ".json")
    if path is None:
        return None
    data = read_json(str(path))
    cues = []
    for n, row in enumerate(data.get("cues", []), start=1):
        if row.get("source") not in ("after", "before", "either", "group", "own"):
            raise DataFileError(f"{path}: cue {n} needs source after|before|either|group|own")
        cues.append(_Cue(re.compile(row["regex"]), row["source"], bool(row.get("entities_only"))))

    def lower_set(name: str) -> frozenset[str]:
        return frozenset(w.lower() for w in data.get(name, []))

    return AttributionRules(
        cues=tuple(cues),
        determiners=lower_set("determiners"),
        report_nouns=lower_set("report_nouns"),
        generic=lower_set("generic_sources"),
        not_sources=lower_set("not_sources"),
        title=re.compile(r"(?:" + data["title_words"] + r")$") if data.get("title_words") else None,
        pronouns=lower_set("pronouns"),
        auxiliaries=lower_set("auxiliaries"),
        passive_before=lower_set("passive_before"),
        connectors=lower_set("name_connectors"),
        coordinators=lower_set("coordinators"),
        prepositions=lower_set("prepositions"),
        passive_markers=lower_set("passive_markers"),
        relative_pronouns=lower_set("relative_pronouns"),
        common_noun_endings=tuple(data.get("common_noun_endings", [])),
        triggers=lower_set("triggers"),
        scanner=WordStartScanner(tuple(cue.regex for cue in cues)),
        generic_heads=tuple(sorted(w for w in lower_set("generic_sources") | lower_set("report_nouns")
                                   if len(w) >= 5)),
        name_prefixes=tuple(data.get("name_prefixes", [])),
        generic_alone=lower_set("generic_alone"),
        addressee_articles=frozenset(data.get("addressee_articles", [])),
        addressee_after_verb=frozenset(data.get("addressee_after_verb", [])),
    )


# -- helpers over plain text -------------------------------------------------------

def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_BREAK.search(text, pos)
    return m.start() if m else len(text)


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, pos):
        start = m.end()
    return start


def _tokens(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    out = []
    for m in _TOKEN.finditer(text, lo, hi):
        s, e = m.start(), m.end()
        while s < e and text[s] in _PUNCT:
            s += 1
        while e > s and text[e - 1] in _PUNCT:
            e -= 1
        if e > s:
            out.append((s, e, text[s:e]))
    return out


def _is_namelike(word: str) -> bool:
    """Capitalized, or a digit-initial name like "36Kr" (not a number like "2023" or "3-5%")."""
    return word[:1].isupper() or (word[:1].isdigit() and any(c.isalpha() for c in word))


_ADJECTIVE = re.compile(r"[a-zäöüß]{3,}(?:e|en|er|es|em)")


def _adjective(word: str) -> bool:
    """An inflected lowercase adjective inside a name ("der deutschen Wirtschaft", "of")."""
    return bool(_ADJECTIVE.fullmatch(word))


def _generic(word: str, rules: AttributionRules) -> bool:
    """A generic source word, also inflected ("Unternehmens") or as the head of a
    compound ("Unternehmenskreise", "Konzernangaben", "Geschäftsbericht")."""
    low = word.lower()
    forms = {low, low[:-1] if low.endswith("s") else low, low[:-2] if low.endswith("es") else low}
    if forms & rules.generic or forms & rules.report_nouns:
        return True
    return any(len(f) > len(g) + 2 and f.endswith(g)
               for f in forms for g in rules.generic_heads)


def _acceptable(name: str, rules: AttributionRules, entity: bool = False) -> bool:
    """Whether a found name names a source; an entity only fails as a lone generic word."""
    words = name.split()
    if not words:
        return False
    if entity:
        return len(words) > 1 or not _generic(words[0], rules)
    head = words[-1].lower()
    if len(words) == 1 and (head in rules.not_sources or head in rules.determiners or head in rules.generic_alone):
        return False
    if len(words) == 1 and rules.title is not None and rules.title.match(words[0]):
        return False            # a role without a name: "sagte der Vorstandschef"
    return not _generic(words[-1], rules) and not _generic(words[0], rules)


def _proper(name: str, rules: AttributionRules) -> bool:
    """A phrase found without an entity must look like a name, not a common noun."""
    words = name.split()
    if len(words) > 1 or not rules.common_noun_endings:
        return True
    w = words[0]
    if w.isupper() or any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w):
        return True
    if any(w.startswith(p) and len(w) > len(p) + 3 for p in rules.name_prefixes):
        return True
    return not any(w.lower().endswith(e) and len(w) > len(e) + 2 for e in rules.common_noun_endings)


def _phrase(tokens: list[tuple[int, int, str]], rules: AttributionRules) -> tuple[int, int] | None:
    """Trim leading articles/titles/report nouns and trailing connectors off a capitalized run."""
    while tokens and (tokens[0][2].lower() in rules.determiners or tokens[0][2].lower() in rules.report_nouns
                      or tokens[0][2].lower() in rules.not_sources
                      or (len(tokens) > 1 and rules.title and rules.title.match(tokens[0][2]))
                      or (len(tokens) > 1 and _generic(tokens[0][2], rules))):
        tokens = tokens[1:]    # a descriptor before the name: "Chiphersteller Foobar" -> "Foobar"
    while tokens and tokens[-1][2].lower() in rules.connectors:
        tokens = tokens[:-1]
    if not tokens:
        return None
    return tokens[0][0], tokens[-1][1]


def _after_preposition(text: str, lo: int, pos: int, rules: AttributionRules) -> bool:
    """Does a preposition (with articles between) stand right before `pos`? ("in Stuttgart",
    "Für das Gesamtjahr"): the phrase there is an adverbial, not a speaker."""
    for _, _, word in reversed(_tokens(text, lo, pos)):
        low = word.lower()
        if low in rules.prepositions:
            return True
        if low not in rules.determiners:
            return False
    return False


def _clause_initial_pp(text: str, lo: int, pos: int, rules: AttributionRules) -> bool:
    """Does the clause open with a prepositional phrase ending at `pos`? Then the phrase
    is an adverbial before an inverted verb ("Für das Gesamtjahr rechnet der Vorstand"),
    while "economists at ING said" has its subject before the preposition."""
    words = [w.lower() for _, _, w in _tokens(text, lo, pos)]
    return bool(words) and words[0] in rules.prepositions and all(w in rules.determiners for w in words[1:])


_NUMBER = re.compile(r"[\d.,]+")


def _np_after(text: str, pos: int, hi: int, rules: AttributionRules, max_skip: int = 4,
              subject_only: bool = False) -> tuple[int, int] | None:
    """The capitalized phrase starting after `pos` (skipping articles and adjectives).

    `subject_only`: the phrase must be the subject right after a verb ("sagte
    Finanzvorstand X"), so a preposition before it ("rechnen mit einem Anstieg") ends the search.
    """
    toks = _tokens(text, pos, hi)
    i = skipped = 0
    while i < len(toks) and skipped <= max_skip:
        w = toks[i][2]
        low = w.lower()
        if subject_only and low in rules.prepositions:
            return None
        if _NUMBER.fullmatch(w):
            return None        # "die Daten von 33 Millionen Kunden": a counted group, no name
        if low in rules.determiners or low in rules.report_nouns or not _is_namelike(w):
            i += 1
            skipped += 1
            continue
        break
    run = []
    while i < len(toks):
        w = toks[i][2]
        if run and w.lower() in rules.connectors and i + 2 < len(toks) and _adjective(toks[i + 1][2]) \
                and _is_namelike(toks[i + 2][2]):
            run.extend(toks[i:i + 2])    # "Institut der deutschen Wirtschaft"
            i += 2
            continue
        if run and w.lower() in rules.connectors and i + 1 < len(toks) and _is_namelike(toks[i + 1][2]):
            run.append(toks[i])
        elif _is_namelike(w) and w.lower() not in rules.determiners:
            run.append(toks[i])
        else:
            break
        if text[toks[i][1]:toks[i][1] + 1] in ",;:":
            break
        i += 1
    return _phrase(run, rules)


def _np_before(text: str, lo: int, pos: int, rules: AttributionRules) -> tuple[int, int] | None:
    """The capitalized phrase ending right before `pos` (auxiliaries may follow it)."""
    toks = _tokens(text, lo, pos)
    while toks and toks[-1][2].lower() in rules.auxiliaries:
        toks = toks[:-1]
    if not toks or text[toks[-1][1]:pos].strip(" \t"):
        return None
    run = []
    for tok in reversed(toks):
        w = tok[2]
        if _is_namelike(w) or (w.lower() in rules.connectors and run):
            run.insert(0, tok)
        else:
            break
    span = _phrase(run, rules)
    if span is not None and _clause_initial_pp(text, lo, span[0], rules):
        return None            # "Für das Gesamtjahr rechnet der Vorstand": the subject follows the verb
    return span


# -- the resolver ------------------------------------------------------------------

class _Resolver:
    def __init__(self, text: str, entities: list[SentenceEntity], rules: AttributionRules,
                 persons_before: tuple[str, ...]):
        self.text = text
        self.ents = [e for e in entities if e.label in SOURCE_LABELS]
        self.rules = rules
        self.persons_before = persons_before

    def _coordinated(self, first: SentenceEntity, forward: bool) -> list[SentenceEntity]:
        chain = [first]
        ordered = self.ents if forward else list(reversed(self.ents))
        cur = first
        for e in ordered:
            if (forward and e.start < cur.end) or (not forward and e.end > cur.start):
                continue
            gap = self.text[cur.end:e.start] if forward else self.text[e.end:cur.start]
            if gap.strip().lower() in self.rules.coordinators or re.fullmatch(r"\s*,\s*(?:und|and)?\s*", gap):
                chain.append(e)
                cur = e
            else:
                break
        return chain if forward else list(reversed(chain))

    def entity_after(self, pos: int, max_words: int | None = None) -> list[SentenceEntity]:
        """The first source-like entity after `pos` in its clause (actors before places/misc)."""
        end = _clause_end(self.text, pos)
        window = []
        for e in self.ents:
            if pos <= e.start < end:
                gap = self.text[pos:e.start]
                if max_words is not None and len(gap.split()) > max_words:
                    break
                if e.label == "LOC" and re.search(r"\b(?:aus|in|from|of)\s*$", gap):
                    continue
                window.append(e)
        actors = [e for e in window if e.label in ("ORG", "PER", "MEDIA")]
        pick = (actors or window)[:1]
        return self._coordinated(pick[0], forward=True) if pick else []

    def entity_before(self, pos: int) -> list[SentenceEntity]:
        cands = [e for e in self.ents if e.end <= pos]
        if not cands:
            return []
        e = max(cands, key=lambda x: x.end)
        gap = [w.lower() for w in self.text[e.end:pos].split()]
        if any(w not in self.rules.auxiliaries for w in gap) or re.search(r"[,;:()]", self.text[e.end:pos]):
            return []
        speaker = _speaker_of_addressee(e, self.ents, self.text, self.rules)
        return self._coordinated(speaker or e, forward=False)

    def pronoun_after(self, pos: int) -> tuple[str, tuple[int, int]] | None:
        m = re.compile(r"\s*(\w+)\b").match(self.text, pos)
        if not m or m.group(1).lower() not in self.rules.pronouns:
            return None
        name = self._last_person(pos)
        return (name, m.span(1)) if name else None

    def pronoun_before(self, pos: int) -> tuple[str, tuple[int, int]] | None:
        m = re.search(r"\b(\w+)\s*$", self.text[:pos])
        if not m or m.group(1).lower() not in self.rules.pronouns:
            return None
        name = self._last_person(m.start())
        return (name, m.span(1)) if name else None

    def _last_person(self, pos: int) -> str | None:
        persons = [e for e in self.ents if e.label == "PER" and e.end <= pos]
        if persons:
            return persons[-1].text
        return self.persons_before[-1] if self.persons_before else None

    def apposition_start(self, pos: int) -> int | None:
        """ "sagte die Chefin des Verbands, Hildegard Müller": after the verb a title whose
        name follows a comma; the position after that comma, else None."""
        end = _clause_end(self.text, pos)
        words = [w for _, _, w in _tokens(self.text, pos, end) if w.lower() not in self.rules.determiners]
        if not words or self.rules.title is None or not self.rules.title.match(words[0]) \
                or self.text[end:end + 1] != ",":
            return None
        return end + 1

    def person_at(self, pos: int) -> list[SentenceEntity]:
        return [e for e in self.ents if e.label == "PER" and e.start >= pos
                and not self.text[pos:e.start].strip()][:1]

    def own(self, pos: int) -> list[SentenceEntity]:
        actors = [e for e in self.ents if e.label in ("ORG", "PER", "MEDIA")]
        before = [e for e in actors if e.end <= pos]
        if before:
            return [before[-1]]
        after = [e for e in actors if e.start >= pos]
        return [after[0]] if after else []

    def in_span(self, lo: int, hi: int) -> list[SentenceEntity]:
        """Entities in a cue's source group; a place after a preposition ("wie das Unternehmen
        in Stuttgart mitteilte") says where, not who."""
        inside = [e for e in self.ents if e.start >= lo and e.end <= hi]
        return [e for e in inside if e.label != "LOC"] or \
               [e for e in inside if not _after_preposition(self.text, lo, e.start, self.rules)]


def _relative_clause(text: str, lo: int, pos: int, rules: AttributionRules) -> bool:
    """A clause after a comma that opens with a relative pronoun and a lowercase word."""
    if lo == 0 or text[lo - 1] not in ",":
        return False
    words = text[lo:pos].split()
    return len(words) >= 2 and words[0].lower() in rules.relative_pronouns and words[1][:1].islower()


class _Collector:
    """Names found so far, with the sentence span that stands for each."""

    def __init__(self, text: str, rules: AttributionRules):
        self.text = text
        self.rules = rules
        self.found: list[tuple[int, int, str, str]] = []
        self.kind = ""

    def entities(self, ents: list[SentenceEntity]) -> bool:
        added = False
        for e in ents:
            if _acceptable(e.text, self.rules, entity=True):
                self.found.append((e.start, e.end, e.text, self.kind))
                added = True
        return added

    def span(self, span: tuple[int, int] | None) -> bool:
        """A phrase found without an entity: it must also look like a proper name."""
        if span is None or not _proper(self.text[span[0]:span[1]], self.rules):
            return False
        return self.name(self.text[span[0]:span[1]], span)

    def name(self, name: str, span: tuple[int, int]) -> bool:
        if not _acceptable(name, self.rules):
            return False
        self.found.append((span[0], span[1], name, self.kind))
        return True


def find_attribution(text: str, entities: list[SentenceEntity], rules: AttributionRules | None,
                     persons_before: tuple[str, ...] = ()) -> Attribution:
    """Names (as written) a sentence attributes its content to, with the first cue that named one."""
    if rules is None:
        return Attribution()
    resolver = _Resolver(text, entities, rules, persons_before)
    out = _Collector(text, rules)
    first_cue: str | None = None
    for cue, matches in zip(rules.cues, rules.scanner.scan(text)):
        for m in matches:
            if any(e.start <= m.start() < e.end for e in entities):
                continue   # the cue word is part of a name
            out.kind = cue.source
            if _resolve(cue, m, resolver, out) and first_cue is None:
                first_cue = m.group(0).strip(" ,“”\"")
    names, spans, kinds, seen = [], [], [], set()
    for s, e, name, kind in sorted(out.found):
        if name in seen or any(s >= ps and e <= pe for ps, pe in spans):
            continue
        seen.add(name)
        names.append(name)
        spans.append((s, e))
        kinds.append(kind)
    return Attribution(tuple(names), first_cue if names else None, tuple(spans), tuple(kinds))


def _resolve(cue: _Cue, m: re.Match, r: _Resolver, out: _Collector) -> bool:
    text, rules, source = r.text, r.rules, cue.source
    if source == "group":
        lo, hi = m.span("src")
        if cue.entities_only:
            return out.entities([e for e in r.in_span(lo, hi) if e.label in ("ORG", "PER", "MEDIA")]) \
                or _acronym(text, lo, hi, r, out)
        return out.entities(_without_addressees(r.in_span(lo, hi), text, rules)) \
            or out.span(_np_after(text, lo, hi, rules))
    if source == "own":
        return out.entities(r.own(m.start()))
    if source == "after":
        hi = _clause_end(text, m.end())
        ents, phrase = r.entity_after(m.end()), _np_after(text, m.end(), hi, rules)
        # the name right after the cue is the source, not an entity further on in the clause
        # ("Nach Angaben des Bundeswirtschaftsministeriums ... für das Auralis-Werk")
        if ents and phrase and phrase[1] <= ents[0].start and out.span(phrase):
            return True
        return out.entities(ents) or out.span(phrase)
    if source == "before":
        lo = _clause_start(text, m.start())
        return out.entities(r.entity_before(m.start())) or out.span(_np_before(text, lo, m.start(), rules))
    # "either": a speech or estimate verb; passive ("is expected to", "wurde ... erklärt") names no one
    before_word = re.search(r"(\w+)\s*$", text[:m.start()])
    if before_word and before_word.group(1).lower() in rules.passive_before:
        return False
    clause_lo = _clause_start(text, m.start())
    after_word = re.compile(r"\s*(\w+)").match(text, m.end())
    if rules.passive_markers and (
            any(w.lower() in rules.passive_markers for w in text[clause_lo:m.start()].split())
            or (after_word and after_word.group(1).lower() in rules.passive_markers)):
        return False
    relative = _relative_clause(text, clause_lo, m.start(), rules)
    # "Bank of England figures showed", "Eurostat data show": the source owns the report noun
    verb_at = _before_report_noun(text, m.start(), rules)
    if out.entities(r.entity_before(verb_at)) or out.entities(_not_spoken_to(r.entity_after(m.end(), max_words=4),
                                                                             text, m.end(), rules)):
        return True
    appos = r.apposition_start(m.end())
    if appos is not None:
        return out.entities(r.person_at(appos)) or \
            out.span(_np_after(text, appos, _clause_end(text, appos), rules, max_skip=0))
    pronoun = r.pronoun_after(m.end()) or r.pronoun_before(m.start())
    if pronoun:
        return out.name(pronoun[0], pronoun[1])
    lo, hi = clause_lo, _clause_end(text, m.end())
    if relative:
        return False
    subject = _np_before(text, lo, verb_at, rules)
    if subject is not None:
        # The verb has its subject before it; a generic one ("Analysten erwarten") names no one.
        return out.span(subject)
    return out.span(_np_after(text, m.end(), hi, rules, max_skip=4, subject_only=True))


def _speaker_of_addressee(e: SentenceEntity, ents: list[SentenceEntity], text: str,
                          rules: AttributionRules) -> SentenceEntity | None:
    """The person who speaks to `e` when `e` follows a person and a dative article ("Klaus Weber
    der Nachrichtenagentur dpa", at most one capitalized noun between), else None."""
    if not rules.addressee_articles:
        return None
    for p in ents:
        if p.label == "PER" and p.end <= e.start:
            gap = text[p.end:e.start].split()
            if gap and gap[0] in rules.addressee_articles and len(gap) <= 2 \
                    and all(w[:1].isupper() for w in gap[1:]):
                return p
    return None


def _without_addressees(ents: list[SentenceEntity], text: str, rules: AttributionRules) -> list[SentenceEntity]:
    """Drop the one spoken to ("wie Klaus Weber der Nachrichtenagentur dpa sagte")."""
    return [e for e in ents if _speaker_of_addressee(e, ents, text, rules) is None]


def _not_spoken_to(ents: list[SentenceEntity], text: str, verb_end: int,
                   rules: AttributionRules) -> list[SentenceEntity]:
    """Entities after a speech verb, unless the first is the one spoken to: after the speaker and
    an unambiguous dative article ("sagte ein Sprecher dem Handelsblatt"), at most one noun between."""
    if not ents or not rules.addressee_after_verb:
        return ents
    gap = [w for w in (w.strip("„“”\"»«") for w in text[verb_end:ents[0].start].split()) if w]
    for i, w in enumerate(gap):
        if i > 0 and w in rules.addressee_after_verb and len(gap) - i <= 2 \
                and all(x[:1].isupper() for x in gap[i + 1:]):
            return []
    return ents


_LAST_WORD = re.compile(r"(\w+)\s*$")


def _before_report_noun(text: str, pos: int, rules: AttributionRules) -> int:
    """Where the subject of a verb at `pos` ends when a lowercase report noun stands right
    before the verb ("Bank of England figures showed" -> after "England"), else `pos`."""
    m = _LAST_WORD.search(text, 0, pos)
    if m and m.group(1) in rules.report_nouns and m.group(1).islower():
        return m.start()
    return pos


_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,5}")


def _acronym(text: str, lo: int, hi: int, r: _Resolver, out: _Collector) -> bool:
    """A prenominal source that is an acronym ("a KFF survey") names an organisation,
    unless it is a place the pipeline knows ("a US study")."""
    word = text[lo:hi]
    if not _ACRONYM.fullmatch(word) or any(e.start < hi and lo < e.end for e in r.ents):
        return False
    return out.name(word, (lo, hi))


def attribution_for(text: str, entities: list[SentenceEntity], lang: str,
                    persons_before: tuple[str, ...] = (), data_dir: Path | None = None) -> Attribution:
    """`find_attribution` with the rules of `lang` from `data_dir` (default: package data)."""
    return find_attribution(text, entities, load_attribution_rules(str(data_dir or DEFAULT_DATA_DIR), lang),
                            persons_before)
