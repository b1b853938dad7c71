"""Same fact across articles and languages: claims about one subject and measure -> one group.

Evidence, strongest first (all-MiniLM is English-centric, so a German and an
English claim are matched on language-independent features; embeddings only
decide where those run out):

* hard requirements: the same unit family ("money", "percent", ...; percent and
  percentage points never meet), the same rate denominator (`per`), the same
  measure_key when both claims have one, no opposite `change`, never two
  quantities of one sentence at one time ("900 in the US, 122 in China"),
  never two values of one article in different sentences that differ beyond
  `same_value_ratio` or the rounding each is written with ("7,48" / "7,95"),
  unless they state different times or come from different sources
  (`FactUnionFind`), and never values more than `max_disagreement_ratio` apart;
* a headline's figure and the same value in its article's text (`_headline_pass`);
* the same subject entity and the same value (`same_value_ratio`), or the same
  value restated by one article, one source, or about an entity the other
  claim names -> one fact, without embeddings (`_subject_pass`, `_value_pass`);
  one article's value for a time already over ("im Jahr 2023") with its value
  of now for the same subject (`_join_earlier`);
* otherwise a score: cosine of short context embeddings, plus a bonus for a
  shared entity or related subjects ("DeepSeek" / "DeepSeek-R1") and a small
  one for close values. Unrelated subjects ("USA" / "China") never merge.

Resemblance (the score) never joins two claims of one sentence, two differing
figures of one article, a bare number without measure, or two reports that share
nothing but a measure or a place unless they are near-paraphrases of one figure
(`_soft_refused`, `_unanchored`); figures a digit slip or a scale word cannot
explain are never one fact (`contradictions.plausible_disagreement`).

Values that disagree still land in one group when the evidence is strong (a
higher score, `disagreeing_score`, and a common entity that is not a place),
so the judge can see the contradiction; a loose resemblance never makes one.
Time scopes do not split groups; the judge tells a change over time from a
contradiction.

No all-pairs comparison: claims are blocked by (measure_key, unit family, per)
and, inside, by shared entity or subject name; large blocks are cut to value
neighbours; claims with neither measure_key nor entities meet in
random-hyperplane buckets of their embeddings. Only pairs with at least one new
("dirty") claim are evaluated and a new claim meets each existing fact once, so
adding an article adds only the links its claims create and embeds only the
contexts those decisions need.
"""
from __future__ import annotations

import functools
import hashlib
import math
import operator
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from graph.contradictions import allowed_interval, plausible_disagreement, rounding_unit
from graph.link_config import LinkConfig
from graph.link_types import FactGroup
from graph.timescope import ends_before, load_time_words, names_a_year, time_scope
from graph.types import ClaimRecord
from graph.units import UnitTable, load_units

VectorSource = Callable[[list[int]], np.ndarray]

_WORD = re.compile(r"\S+")
_CONTEXT_WORDS = 6            # words each side of the quantity in the embedded context
_LSH_SEED = 20250101          # fixed: buckets must be the same in every run
# value ratio -> share of `value_bonus` added to a soft score: close values help
# a little, a factor 10 apart counts against (never decisive on its own)
_VALUE_WEIGHTS = ((1.25, 1.0), (2.0, 0.5), (4.0, 0.0), (10.0, -0.5), (math.inf, -1.5))


@dataclass
class ClaimFeatures:
    """What grouping needs to know about one claim (built from a ClaimRecord or record rows).

    `subject`: the entity the claim's subject names; without one, the only
    entity its sentence (or, failing that, the sentence before) names -- a
    sentence that names one entity is about it. None otherwise.
    `context`: every entity the claim is about or mentions (not its sources),
    or, when its sentence names none, the entities just before it.
    `sentence`: (article, sentence index) -- two quantities of one family in
    one sentence, at one time, are different facts ("900 in the US, 122 in China").
    """

    claim_id: str
    article_id: str
    measure_key: str | None
    family: str
    per: str | None
    change: str | None
    subject: str | None
    context: frozenset[str]
    value: float                 # in the family's base unit, roughly (a weak signal only)
    sentence: tuple[str, int] | None = None
    scope: str | None = None
    conversion_of: str | None = None
    sources: frozenset[str] = frozenset()   # entities the claim is attributed to ("laut 36Kr")
    publisher: str | None = None            # the publishing outlet's entity id, when it is one
    hedged: bool = False
    places: frozenset[str] = frozenset()    # entities of `context` that are places
    timed: bool = False                     # the sentence states a time for it, understood (scope) or not
    earlier: bool = False                   # ... and that time was over when its article appeared
    written: tuple | None = None            # (unit, value, low, high, qualifier, span) as the claim states it


def fact_id_for(seed_claim_id: str) -> str:
    """A fact is named after its earliest member (ingestion order): stable when members join."""
    return hashlib.sha1(f"fact\x1f{seed_claim_id}".encode()).hexdigest()[:16]


def claim_context(rec: ClaimRecord, entity_names: Iterable[str] = ()) -> str:
    """The short text embedded for a claim: subject, measure, entities, a window around the quantity.

    The quantity itself is replaced by its unit: two claims disagreeing on the
    number should still look alike. Entity names already in the window are not
    repeated. Short texts keep the model fast: its cost grows with the tokens.
    """
    c = rec.claim
    local_start = max(0, c.start - c.sentence_start)
    local_end = max(local_start, c.end - c.sentence_start)
    left = _WORD.findall(c.text[:local_start])[-_CONTEXT_WORDS:]
    right = _WORD.findall(c.text[local_end:])[:_CONTEXT_WORDS]
    per = f" per {c.per}" if c.per else ""
    window = " ".join([*left, f"[{c.unit}{per}]", *right])
    shown = f"{c.subject or ''} {window}".casefold()
    names = sorted({n for n in entity_names if n and n.casefold() not in shown})
    head = "; ".join(x for x in (c.subject, c.measure, ", ".join(names)) if x)
    return f"{head}: {window}" if head else window


def base_value(value: float, unit: str, units: UnitTable, usd_per_unit: Callable[[str], float | None]) -> float:
    if units.family(unit) == "money":
        rate = usd_per_unit(unit)
        return value * rate if rate else value
    return value * units.factor(unit)


# -- union-find that refuses some unions ------------------------------------

@dataclass
class _Evidence:
    """What a component's members say against a union: sentence keys, subjects, stated values."""

    keys: dict          # (article, sentence, family, per) -> time scopes stated there
    subjects: set
    stated: dict[str, list]     # article -> [(value, as written, sentence index, sources, time)]

    @classmethod
    def of(cls, feats: Iterable[ClaimFeatures]) -> _Evidence:
        ev = cls({}, set(), {})
        for f in feats:
            key, stated = sentence_key(f), stated_key(f)
            if key is not None:
                ev.keys.setdefault(key[:-1], set()).add(key[-1])
            if f.subject:
                ev.subjects.add(f.subject)
            if stated is not None:
                ev.stated.setdefault(stated[0], []).append(stated[1:])
        return ev

    def absorb(self, other: _Evidence) -> None:
        for key, scopes in other.keys.items():
            self.keys.setdefault(key, set()).update(scopes)
        self.subjects |= other.subjects
        for article, values in other.stated.items():
            self.stated.setdefault(article, []).extend(values)


class FactUnionFind:
    """Union-find over claim indices that refuses unions the evidence speaks against.

    Two claims of one sentence never share a fact: "knapp 900 Start-ups in den
    USA, 122 in China" has one measure and two subjects. Each component keeps
    the sentence keys of its members (unit family, rate and time scope
    included, so "jetzt 75.000, früher 180.000" can still be one fact); a union
    that would put two claims with the same key into one component is refused.
    Conversions carry no key.

    Soft unions (decided by embeddings) are also refused when both components
    name subject entities and none of one side's is related to the other's:
    a loose resemblance must not bridge the "USA" fact and the "Stargate" fact.

    A component's evidence is gathered from its members only when a checked
    union first needs it: an incremental run starts from every existing fact
    (`groups`) but compares few of them.
    """

    def __init__(self, feats: list[ClaimFeatures], related: Callable[[str, str], bool],
                 config: LinkConfig, groups: Iterable[Iterable[int]] = ()):
        self.feats = feats
        self.related = related
        self.config = config
        self.units = load_units(config.units_path)
        self.same_value_ratio = config.same_value_ratio
        self.parent = list(range(len(feats)))
        self.size = [1] * len(feats)
        # root -> smallest and largest value of its members (see `span`)
        self.lo = [f.value for f in feats]
        self.hi = [f.value for f in feats]
        self.members: dict[int, list[int]] = {}     # root -> members, until its evidence is gathered
        self.evidence: dict[int, _Evidence] = {}    # root -> its members' evidence
        for group in groups:
            self._force(list(group))

    def _force(self, group: list[int]) -> None:
        """One component of `group`, unchecked; a group of claims still on their own is linked at once."""
        if len(group) > 1 and all(self.parent[m] == m and self.size[m] == 1 for m in group):
            for m in group[1:]:
                self.parent[m] = group[0]
            self.size[group[0]] = len(group)
            self.lo[group[0]] = min(self.feats[m].value for m in group)
            self.hi[group[0]] = max(self.feats[m].value for m in group)
            self.members[group[0]] = group
            return
        for m in group[1:]:
            self.union(group[0], m, force=True)

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int, force: bool = False, soft: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self._may_join(self._evidence(ra), self._evidence(rb), soft):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.lo[ra], self.hi[ra] = min(self.lo[ra], self.lo[rb]), max(self.hi[ra], self.hi[rb])
        if ra in self.evidence or rb in self.evidence:     # keep gathered evidence up to date
            self._evidence(ra).absorb(self._evidence(rb))
            del self.evidence[rb]
        else:
            self.members.setdefault(ra, [ra]).extend(self.members.pop(rb, [rb]))
        return True

    def span(self, a: int, b: int) -> float:
        """How far apart (as a factor, `_value_ratio`) the values of a's and b's components would lie
        if joined."""
        ra, rb = self.find(a), self.find(b)
        return _value_ratio(min(self.lo[ra], self.lo[rb]), max(self.hi[ra], self.hi[rb]))

    def _evidence(self, root: int) -> _Evidence:
        ev = self.evidence.get(root)
        if ev is None:
            ev = self.evidence[root] = _Evidence.of(self.feats[m] for m in self.members.pop(root, [root]))
        return ev

    def _may_join(self, a: _Evidence, b: _Evidence, soft: bool) -> bool:
        if _one_sentence_clash(a.keys, b.keys):
            return False
        if soft and a.subjects and b.subjects and not any(
                self.related(x, y) for x in a.subjects for y in b.subjects):
            return False
        return not self._article_disagrees(a.stated, b.stated)

    def _article_disagrees(self, a: dict[str, list], b: dict[str, list]) -> bool:
        """One article states values for both sides, in different sentences, that differ beyond rounding.

        An article does not contradict itself: "mehr als 500 Projekte angekündigt"
        and "mindestens 150 davon in Betrieb" two sentences apart are two facts,
        even when their time phrases differ. A change over time that one article
        reports is said in one sentence ("jetzt 75.000, früher 180.000"), which
        `sentence_key` governs instead; two sentences that each state a time
        ("Vor dem Preisverfall ... 180.000 Yuan", "derzeit ... 7.500 Yuan") may
        report a change too. An article may also report a dispute
        (`_reports_dispute`).
        """
        if len(a) > len(b):
            a, b = b, a
        for article, values in a.items():
            for v1, r1, s1, src1, t1 in values:
                for v2, r2, s2, src2, t2 in b.get(article, ()):
                    if s1 != s2 and self.differ(v1, r1, v2, r2) \
                            and not _reports_dispute(src1, src2) and not _other_times(t1, t2):
                        return True
        return False

    def differ(self, v1: float, w1: tuple | None, v2: float, w2: tuple | None) -> bool:
        """Two figures of one article that cannot be one: beyond `same_value_ratio`, or, in one
        unit, outside each other's rounding ("7,48 Euro" and "7,95 Euro" are two rents).

        The intervals are worked out here, for the few pairs that get this far."""
        if _value_ratio(v1, v2) > self.same_value_ratio:
            return True
        if not (w1 and w2 and w1[0] == w2[0]):
            return False
        (lo1, hi1), (lo2, hi2) = (allowed_interval(*w[1:], w[0], self.units, self.config) for w in (w1, w2))
        return hi1 < lo2 or hi2 < lo1


def name_related(names: dict[str, str]) -> Callable[[str, str], bool]:
    """Subjects are related when equal or when one's name starts the other's: "DeepSeek" / "DeepSeek-R1".

    NLP subjects often name the maker where another article names the model.
    """
    def related(a: str, b: str) -> bool:
        if a == b:
            return True
        ta, tb = names.get(a, a).split(), names.get(b, b).split()
        n = min(len(ta), len(tb))
        return n > 0 and ta[:n] == tb[:n]
    return related


def _reports_dispute(a: frozenset | None, b: frozenset | None) -> bool:
    """Two values one article reports without asserting both: each attributed to other
    sources, or one hedged (None) -- "soll 5,6 Mio. gekostet haben ... Berger nennt 60 Mio."."""
    return a is None or b is None or bool(a and b and a != b)


def _other_times(a: tuple[bool, str | None, bool], b: tuple[bool, str | None, bool]) -> bool:
    """Two claims of one article at different times: both state a time, and not the same one (a
    phrase we cannot place counts as other); or one states a time that was over when the
    article appeared and the other, stating none, describes that moment
    ("Im Jahr 2023 ... 4,2 Mrd." and "nimmt rund 6 Mrd. in die Hand")."""
    (timed_a, scope_a, earlier_a), (timed_b, scope_b, earlier_b) = a, b
    if timed_a and timed_b:
        return scope_a is None or scope_b is None or scope_a != scope_b
    return (timed_a and earlier_a) or (timed_b and earlier_b)


def stated_key(f: ClaimFeatures) -> tuple | None:
    """(article, value, as written, sentence, sources or None when hedged, time) for the
    within-article check.

    Conversions restate another claim and carry none."""
    if f.conversion_of is not None or f.sentence is None:
        return None
    return (f.article_id, f.value, f.written, f.sentence[1], None if f.hedged else f.sources,
            (f.timed, f.scope, f.earlier))


def _one_sentence_clash(a: dict, b: dict) -> bool:
    """Two claims of one sentence (unit family and rate alike) at one time scope in one fact.

    "jetzt 75.000, früher 180.000" is one fact that changed; a claim whose time went
    unread ("now rents for 75,000 yuan, down from roughly 180,000 yuan": no time on the
    latter) counts as another time here, so the hard rules may still join it through
    other articles. Resemblance alone never joins two claims of one sentence
    (`_soft_refused`).
    """
    if len(a) > len(b):
        a, b = b, a
    for key, scopes_a in a.items():
        scopes_b = b.get(key)
        if scopes_b and not scopes_a.isdisjoint(scopes_b):
            return True
    return False


def sentence_key(f: ClaimFeatures) -> tuple | None:
    if f.sentence is None or f.conversion_of is not None:
        return None
    return (*f.sentence, f.family, f.per, f.scope)


# -- pair rules -------------------------------------------------------------

def _changes_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _value_ratio(a: float, b: float) -> float:
    """How far apart two values are, as a factor; opposite signs (-11.5 °C, 11.5 °C) are infinitely far."""
    if a * b < 0:
        return math.inf
    a, b = abs(a), abs(b)
    if a == 0 or b == 0:
        return math.inf if a != b else 1.0
    return max(a, b) / min(a, b)


def soft_score(a: ClaimFeatures, b: ClaimFeatures, cos: float, config: LinkConfig,
               related: Callable[[str, str], bool] | None = None) -> float:
    """Context cosine plus small bonuses: a shared entity or related subjects, a close value.

    Never decisive alone: the bonuses add at most `context_bonus + value_bonus`.
    """
    score = cos
    same_subject = bool(related and a.subject and b.subject and related(a.subject, b.subject))
    if a.context & b.context or same_subject:
        score += config.context_bonus
    ratio = _value_ratio(a.value, b.value)
    for limit, weight in _VALUE_WEIGHTS:
        if ratio <= limit:
            # About one subject, far-apart values are what a contradiction looks like:
            # they must not count against the match.
            return score + (max(0.0, weight) if same_subject else weight) * config.value_bonus
    return score


# -- clustering -------------------------------------------------------------

def cluster(feats: list[ClaimFeatures], dirty: set[int], vectors: VectorSource | None,
            config: LinkConfig, initial: Iterable[Iterable[int]] = (),
            subject_names: dict[str, str] | None = None) -> FactUnionFind:
    """Components of claim indices: existing groups (`initial`) plus the links dirty claims create.

    Decisions, per block of one (measure_key, unit family, per):
    * the same subject entity -> same fact, no embedding needed;
    * unrelated subject entities ("USA" / "China"; see `name_related`) -> never;
    * otherwise candidates that share an entity (or, without entities, any in
      the block) are scored by `soft_score` against `same_fact_score`.
    `subject_names`: entity id -> normalized name, for `name_related`.
    Candidate pairs already in one component are skipped, and a claim meets
    each other component once (`_prune`).
    Claims without measure_key meet claims sharing an entity (stricter score);
    claims with neither measure_key nor entities meet near-paraphrases in
    random-hyperplane buckets. `vectors(indices)` is called once, with every
    index a decision needs, so a lazy source embeds only those.
    """
    related = name_related(subject_names or {})
    names = subject_names or {}

    @functools.cache
    def subject_word(eid: str) -> str:
        return (names.get(eid) or eid).split(" ", 1)[0]

    uf = FactUnionFind(feats, related, config, initial)
    by_id = {f.claim_id: i for i, f in enumerate(feats)}
    for i, f in enumerate(feats):
        j = by_id.get(f.conversion_of) if f.conversion_of else None
        if j is not None and (i in dirty or j in dirty):
            uf.union(j, i, force=True)
    if not dirty:
        return uf

    _headline_pass(feats, dirty, uf, config.equal_value_ratio)
    measure_blocks, entity_blocks, loose_blocks = _dirty_blocks(feats, dirty)
    pairs: set[tuple[int, int]] = set()        # soft pairs needing a cosine
    for members in measure_blocks.values():
        _subject_pass(members, feats, dirty, uf, config)
        _value_pass(members, feats, dirty, uf, pairs, config, related)
    for members in measure_blocks.values():
        _measure_candidates(members, feats, dirty, uf, pairs, config, related, subject_word)
    pairs = _prune(pairs, feats, dirty, uf)
    mkless = _prune(_mkless_candidates(entity_blocks, feats, dirty, uf, config, related), feats, dirty, uf)
    loose = [run for m in loose_blocks.values() if len(m) > 1
             for run in _equal_value_runs([i for i in m if not _unmeasured_count(feats[i])], feats, dirty,
                                          config.equal_value_ratio)]
    if vectors is None:
        return uf
    needed = sorted({i for p in pairs for i in p} | {i for p in mkless for i in p} | {i for b in loose for i in b})
    if not needed:
        return uf
    rows = {m: r for r, m in enumerate(needed)}
    vecs = vectors(needed)
    candidates = sorted(pairs)
    if candidates:
        sims = np.einsum("ij,ij->i", vecs[[rows[a] for a, _ in candidates]],
                         vecs[[rows[b] for _, b in candidates]])
        scored = [(soft_score(feats[a], feats[b], cos, config, related), a, b, cos)
                  for (a, b), cos in zip(candidates, sims.tolist())]
        # strongest evidence first: a refused union (see FactUnionFind) then
        # keeps the better-supported grouping, whatever the claims' order
        for score, a, b, cos in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
            if score < config.same_fact_score:
                continue
            if _unanchored(feats[a], feats[b], related) and (
                    cos < config.loose_cosine or not _same_figure(feats[a], feats[b], uf)):
                continue
            # values that disagree join only claims about one thing, on stronger evidence:
            # a contradiction must be about something, and more certain than a corroboration
            if not _may_join(feats[a], feats[b], config, related) or (
                    not _same_figure(feats[a], feats[b], uf) and (
                        score < config.disagreeing_score or not _about_one_thing(feats[a], feats[b], related))):
                continue
            if _soft_refused(feats[a], feats[b], uf.span(a, b), config, related, uf):
                continue
            uf.union(a, b, soft=True)
    for a, b in sorted(mkless):
        cos = float(vecs[rows[a]] @ vecs[rows[b]])
        if _same_figure(feats[a], feats[b], uf) \
                and not (_unanchored(feats[a], feats[b], related) and cos < config.loose_cosine) \
                and not _soft_refused(feats[a], feats[b], uf.span(a, b), config, related, uf) \
                and soft_score(feats[a], feats[b], cos, config, related) >= config.no_measure_score:
            uf.union(a, b, soft=True)
    for block in loose:
        sub = vecs[[rows[m] for m in block]]
        for bucket in _lsh_buckets(block, sub, config):
            _link_loose(bucket, vecs, rows, feats, dirty, uf, config)
    return uf


def _unanchored(a: ClaimFeatures, b: ClaimFeatures, related: Callable[[str, str], bool]) -> bool:
    """Two claims of different reports that share nothing but their measure: no entity other
    than a place, no related subjects, no source.

    Why: generic measures ("duration", "temperature", "contract_length", "rooms") hold
    countless unrelated figures whose contexts read alike ("Laufzeit: fünf Jahre", "Kredite
    mit bis zu 5 Jahren Laufzeit"; "20 Grad Raumtemperatur", "im Winter angenehme 20 Grad").
    Such a pair joins only as a near-paraphrase (`loose_cosine`) of the same figure, as
    claims with neither measure nor entities do. A shared place, even as both subjects, is
    no anchor (`_about_one_thing`): "40 % der
    Treibhausgas-Emissionen in Deutschland" and "40 Prozent der Beschäftigten in
    Deutschland" meet in the entity block of "Deutschland" only.
    """
    return not (_same_report(a, b) or _about_one_thing(a, b, related))


def _soft_refused(a: ClaimFeatures, b: ClaimFeatures, span: float, config: LinkConfig,
                  related: Callable[[str, str], bool], uf: FactUnionFind | None = None) -> bool:
    """Unions a context score must not make, however high it is.

    * Two claims of one sentence: they share their context window, so its cosine says
      nothing about them ("GRUR 1993, 34, 36 = WRP 1992, 160" are four numbers, one
      context). A change said in one sentence joins by subject (`_union_close`).
    * Two claims of one article whose values differ (beyond `same_value_ratio`, or,
      in one unit, beyond the rounding each is written with): the article's own topic
      and names make any two of its figures look alike; an article reports a change of
      one figure in words that tie them (`_union_close`, `_join_earlier`), not by
      resemblance ("beschäftigt derzeit über 9.000 Mitarbeiter" and the boilerplate's
      "rund 7.900 Mitarbeiter" are two statements, not a change; "58 Prozent" and
      "1996 ... 61 Prozent" are two survey answers).
    * A count whose measure is unknown (`_unmeasured_count`).
    * A union whose components would then span values beyond `same_value_ratio`, unless
      the pair is about one thing (`_about_one_thing`): close values chain ("25 Jahre",
      "26-Jährige", "27-Jährige", "30jährige") into a group of unrelated ages that no
      pair of them would have formed, and then flags their differences.
    """
    if a.sentence is not None and a.sentence == b.sentence:
        return True
    if a.article_id == b.article_id and (
            _value_ratio(a.value, b.value) > config.same_value_ratio
            or (uf is not None and not _same_restated(a, b, uf))):
        return True
    if _unmeasured_count(a) or _unmeasured_count(b):
        return True
    return span > config.same_value_ratio and not _about_one_thing(a, b, related)


def _unmeasured_count(f: ClaimFeatures) -> bool:
    """A bare number: a count with no measure_key ("15.", "Rocket Pass 4", "Bartosz Smektała 2",
    "27 de marzo", "96'"). What it counts is unknown -- list numbers, jersey numbers, dates,
    scores, names -- so an equal number elsewhere, or a similar context, says nothing about
    it being the same figure: it joins a fact only through its conversion, never by
    resemblance or by equal value alone."""
    return f.measure_key is None and f.family == "count"


def _dirty_blocks(feats: list[ClaimFeatures], dirty: set[int]
                  ) -> tuple[dict[tuple, list[int]], dict[tuple, list[int]], dict[tuple, list[int]]]:
    """The blocks that hold a dirty claim: by (measure_key, family, per); by (family, per, entity);
    and, for claims with neither measure_key nor entities, by (family, per).

    Members in index order, blocks in the order of their first member. Blocks
    without a dirty claim are left out: nothing in them can change. Their keys
    come from the dirty claims first, so the pass over every claim only appends
    to wanted blocks (an incremental run has few dirty claims among many).
    """
    wanted_measure, wanted_entity, wanted_loose = set(), set(), set()
    for i in dirty:
        f = feats[i]
        if f.measure_key:
            wanted_measure.add((f.measure_key, f.family, f.per))
        elif not f.context:
            wanted_loose.add((f.family, f.per))
        wanted_entity.update((f.family, f.per, e) for e in f.context)
    measure: dict[tuple, list[int]] = {}
    entity: dict[tuple, list[int]] = {}
    loose: dict[tuple, list[int]] = {}
    for i, f in enumerate(feats):
        if f.measure_key:
            key = (f.measure_key, f.family, f.per)
            if key in wanted_measure:
                measure.setdefault(key, []).append(i)
        elif not f.context:
            key = (f.family, f.per)
            if key in wanted_loose:
                loose.setdefault(key, []).append(i)
        if wanted_entity:
            for e in f.context:
                key = (f.family, f.per, e)
                if key in wanted_entity:
                    entity.setdefault(key, []).append(i)
    return measure, entity, loose


def _headline_pass(feats: list[ClaimFeatures], dirty: set[int], uf: FactUnionFind, ratio: float) -> None:
    """A headline's figure is the figure of its article's text with the same value.

    Headlines compress: "Auralis Cell picks Prenzlau for €5.8 billion battery
    plant" names no measure, "Vedder in £55m deal" another word for the body's
    "fee", so measure keys do not decide here. The extracted text starts with
    the headline (sentence 0). Its figure joins the one fact of the article's
    other sentences that holds the same value (within `ratio`, inside the
    judge's rounding: never a contradiction), unit family, rate and a
    compatible change; two such facts leave it ambiguous and alone. Bare numbers
    (`_unmeasured_count`: "Rocket Pass 4") take no part.
    Every claim of an article with a new claim is looked at, so linking
    articles one by one ends where linking them at once does.
    """
    articles = {feats[i].article_id for i in dirty}
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        if f.article_id in articles and f.sentence is not None:
            by_article[f.article_id].append(i)
    for members in by_article.values():
        for h in members:
            fh = feats[h]
            if fh.sentence[1] != 0 or fh.conversion_of is not None or _unmeasured_count(fh):
                continue
            same = [m for m in members if feats[m].sentence[1] != 0 and not _unmeasured_count(feats[m])
                    and feats[m].family == fh.family
                    and feats[m].per == fh.per and _changes_compatible(fh.change, feats[m].change)
                    and _value_ratio(fh.value, feats[m].value) <= ratio]
            if len({uf.find(m) for m in same}) == 1:
                uf.union(same[0], h)


def _subject_pass(members: list[int], feats: list[ClaimFeatures], dirty: set[int], uf: FactUnionFind,
                  config: LinkConfig) -> None:
    """Same measure, the same subject entity and the same value: one fact, no embedding needed.

    A claim without a subject whose entities include exactly one of the
    subjects reported for this measure is about that subject ("Die Aktie brach
    um 17 % ein" next to Nvidia, where other claims of the measure are Nvidia's).
    Values that differ beyond `same_value_ratio` are left to the context score
    (`_measure_candidates`): "Nvidia verlor 17 %" and "Nvidia notiert 7 % unter
    dem Vorkrisenniveau" share subject and measure but are two facts, while
    "60 Mio." against "5,6 Mio." for one model's training is a contradiction
    only when the contexts say they mean the same thing.
    """
    ratio = config.same_value_ratio
    by_subject: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for m in members:
        if feats[m].subject:
            by_subject[(feats[m].subject, feats[m].change)].append(m)
    for (subject, _), group in by_subject.items():
        if any(m in dirty for m in group):
            _union_close(group, feats, uf, ratio)
            _join_earlier(subject, group, group, feats, uf, config)
    # claims without a stated change join the subject group of the one change kind present
    changing: dict[str, list[list[int]]] = defaultdict(list)
    for (subject, change), group in by_subject.items():
        if change is not None:
            changing[subject].append(group)
    for (subject, change), group in by_subject.items():
        if change is None:
            others = changing.get(subject, [])
            if len(others) == 1 and any(m in dirty for m in group + others[0]):
                for m in group:
                    _join_nearest(m, others[0], feats, uf, ratio)
    subjects: dict[str, list[int]] = defaultdict(list)
    for (subject, _), group in sorted(by_subject.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        subjects[subject].extend(group)
    dirty_subjects = {subject for subject, group in subjects.items() if not dirty.isdisjoint(group)}
    for m in members:
        f = feats[m]
        if f.subject or not f.context:
            continue
        named = [e for e in f.context if e in subjects]
        if len(named) == 1:
            group = subjects[named[0]]
            if m in dirty or named[0] in dirty_subjects:
                compatible = [g for g in group if _changes_compatible(f.change, feats[g].change)]
                _join_nearest(m, compatible, feats, uf, ratio)
                _join_earlier(named[0], [m], compatible, feats, uf, config)


def _union_close(group: list[int], feats: list[ClaimFeatures], uf: FactUnionFind, ratio: float) -> None:
    """Union runs of claims whose values lie within `ratio` of the run's smallest.

    Values of one sentence at different stated times are one fact that changed:
    "kostet jetzt 75.000 Yuan, früher waren es etwa 180.000 Yuan".
    """
    by_sentence: dict[tuple, list[int]] = defaultdict(list)
    for m in group:
        if feats[m].sentence is not None and feats[m].scope is not None:
            by_sentence[feats[m].sentence].append(m)
    for same in by_sentence.values():
        for m in same[1:]:
            if feats[m].scope != feats[same[0]].scope:
                uf.union(same[0], m)
    for run in _value_runs(group, feats, ratio):
        together = True         # whether run[:k] are all in one component (of an earlier run)
        for k, m in enumerate(run[1:], start=1):
            if together and uf.find(m) == uf.find(run[0]):
                continue        # whichever partner it found, the union would change nothing
            # within a run, only figures inside each other's rounding are the same figure:
            # "rund 6 Mrd." is "5,8 Mrd.", but an exact "25" is not "27" (see `_same_figure`)
            partner = next((p for p in run[:k] if _same_figure(feats[p], feats[m], uf)), None)
            if partner is not None:
                uf.union(partner, m)
            together = together and uf.find(m) == uf.find(run[0])


def _same_figure(a: ClaimFeatures, b: ClaimFeatures, uf: FactUnionFind) -> bool:
    """Whether two values read as one figure: within `same_value_ratio` and, when written in
    one unit, inside each other's rounding (`allowed_interval`).

    Why: `same_value_ratio` (10 %) is there for "rund", "knapp" and converted currencies; two
    exact figures 8 % apart ("25 Jahre", "27-Jährige"; "2,5 Grad", "2,7 Grad") are two
    figures, so a resemblance that joins them asserts a disagreement and needs the
    evidence a disagreement needs (`disagreeing_score`, `_about_one_thing`). Two exact
    figures in one unit are compared on the digits they write, without the
    `exact_tolerance` floor (2 % would make "26" and "27" one figure): each stands for half a
    unit of its last significant digit around it (`rounding_unit`: "6 Mio." holds 5,6 Mio.,
    "25" does not hold 26).
    """
    wa, wb = a.written, b.written
    if wa and wb and wa[0] == wb[0] and wa[4] == wb[4] == "exact":
        if wa[1] == wb[1]:
            return True
        ua, ub = rounding_unit(wa[1], wa[5]) / 2, rounding_unit(wb[1], wb[5]) / 2
        return wa[1] - ua < wb[1] + ub and wb[1] - ub < wa[1] + ua
    return not uf.differ(a.value, wa, b.value, wb)


def _same_restated(a: ClaimFeatures, b: ClaimFeatures, uf: FactUnionFind) -> bool:
    """Whether a report restates one figure: `_same_figure`, and within one article two exact
    figures in one unit must be written with the same value.

    Why: an article that restates its figure writes it the same way; "73 Prozent" and
    "72,2 Prozent", "80 Prozent" and "83 Prozent" in one article are two answers, two shares,
    although "80" alone might be a rounded 83 in another report.
    """
    wa, wb = a.written, b.written
    if a.article_id == b.article_id and wa and wb and wa[0] == wb[0] and wa[4] == wb[4] == "exact":
        return wa[1] == wb[1]
    return _same_figure(a, b, uf)


def _value_runs(members: list[int], feats: list[ClaimFeatures], ratio: float) -> list[list[int]]:
    """The members in value order, cut into runs whose values lie within `ratio` of the run's smallest.

    Anchoring at the smallest keeps a run from drifting: 1.0, 1.09, 1.19 ... is not one value.
    """
    order = sorted(members, key=lambda m: (_log_value(feats[m].value), m))
    runs, run = [], [order[0]]
    for m in order[1:]:
        if _value_ratio(feats[run[0]].value, feats[m].value) <= ratio:
            run.append(m)
        else:
            runs.append(run)
            run = [m]
    runs.append(run)
    return runs


def _join_nearest(m: int, group: list[int], feats: list[ClaimFeatures], uf: FactUnionFind, ratio: float,
                  same: bool = True) -> None:
    """Union `m` with the member of `group` nearest in value, when within `ratio` and, unless `same`
    is off (a reported change, `_join_earlier`), the same figure as restated (`_same_restated`:
    "26-Jährige" beside "27-Jährige" of one article are two people)."""
    value = feats[m].value
    best, best_ratio = None, math.inf
    for g in group:     # min() by (ratio, index), without a key call per member: this is a hot loop
        if g == m:
            continue
        r = _value_ratio(value, feats[g].value)
        if best is None or r < best_ratio or (r == best_ratio and g < best):
            best, best_ratio = g, r
    if best is not None and best_ratio <= ratio and (not same or _same_restated(feats[m], feats[best], uf)):
        uf.union(best, m)


def _join_earlier(subject: str, seekers: list[int], group: list[int], feats: list[ClaimFeatures],
                  uf: FactUnionFind, config: LinkConfig) -> None:
    """A value of the subject's measure at a time already over when its article appeared joins
    what the same article says of it now, even when they disagree: "Ursprünglich hatte das
    Unternehmen im Jahr 2023 mit 4,2 Mrd. gerechnet" beside the article's "nimmt rund 6 Mrd.
    in die Hand".

    The article itself reports the change, so its subject cues are read alike; across
    articles a subject found by position (the sentence before) is too weak to bridge
    disagreeing values. As for any disagreeing pair (`_about_one_thing`), the subject must
    not be a place: a country's "197 Tote" and "2018 ... 15 Tote" are often two events.
    A seeker that no claim of the subject agrees with (within `same_value_ratio`: else that
    value is its fact) joins the claim of another sentence of its article nearest in value
    among those of the present (stating no time, or "jetzt"), unless more than
    `earlier_change_ratio` apart; one sentence's figures are `_union_close`'s matter.
    The earlier time must name a year: "sechs Jahre zuvor", "damals" are relative to a moment
    of the story, not to the article's day, and tie the figure to no other.
    Two stated past times may overlap ("2023 und 2024 ... mehr als 500 Projekte", "bis Ende
    2024 ... mindestens 150"): those are left to the context. The judge reads the
    difference as a change over time, never as a contradiction (contradictions.judge_fact).
    """
    ratio = config.same_value_ratio
    seekers = [m for m in seekers if feats[m].earlier and subject not in feats[m].places
               and names_a_year(feats[m].scope)]
    if not seekers:
        return
    by_article: dict[str, list[int]] = defaultdict(list)
    for g in group:
        by_article[feats[g].article_id].append(g)
    for m in seekers:
        f = feats[m]
        if any(g != m and _value_ratio(f.value, feats[g].value) <= ratio for g in group):
            continue
        other = [g for g in by_article[f.article_id]
                 if (not feats[g].timed or feats[g].scope == "now") and feats[g].sentence != f.sentence]
        _join_nearest(m, other, feats, uf, config.earlier_change_ratio, same=False)


def _value_pass(members: list[int], feats: list[ClaimFeatures], dirty: set[int], uf: FactUnionFind,
                pairs: set[tuple[int, int]], config: LinkConfig, related: Callable[[str, str], bool]) -> None:
    """The same value of one measure, stated about the same thing in other words: one fact.

    Subjects come from positional heuristics and miss often ("Trump kündigt ...
    500 Milliarden Dollar an" next to "Stargate ... up to $500 billion"). An
    equal value (within `same_value_ratio`) of one measure is strong evidence
    when the claims also share what they are about: the same article restating
    its figure, the same source reporting it ("laut 36Kr"), one claim's subject
    named in the other's sentence, or, when a subject is missing, a shared entity. Never across unrelated subjects that
    do not name each other. Other equal values become candidate `pairs` for the
    context score. Each new claim scans at most `block_top_k` value neighbours
    on each side, so large blocks stay cheap.
    """
    order = sorted(members, key=lambda m: (_log_value(feats[m].value), m))
    logs = [_log_value(feats[m].value) for m in order]
    limit = math.log(config.same_value_ratio)
    for pos, d in enumerate(order):
        if d not in dirty:
            continue
        fd = feats[d]
        for step in (-1, 1):
            i, seen = pos + step, 0
            while 0 <= i < len(order) and seen < config.block_top_k:
                o = order[i]
                fo = feats[o]
                if abs(logs[i] - logs[pos]) > limit:
                    break
                seen += 1
                i += step
                if uf.find(o) == uf.find(d) or not _changes_compatible(fd.change, fo.change):
                    continue
                ratio = _value_ratio(fd.value, fo.value)
                if ratio > config.same_value_ratio:
                    continue        # the same magnitude with the opposite sign
                # one article restates a figure the way it wrote it (`_same_restated`)
                if (_anchored(fd, fo, related) and (fd.article_id != fo.article_id or _same_restated(fd, fo, uf))) \
                        or (ratio <= config.equal_value_ratio and _same_report(fd, fo) and _same_restated(fd, fo, uf)):
                    uf.union(d, o)
                elif _soft_allowed(fd, fo, related) or not (fd.subject and fo.subject):
                    pairs.add((min(d, o), max(d, o)))


def _same_report(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """One article, one source, or one claim attributed to the other's publisher
    ("..., wie Börsenkurier Online berichtete" and Börsenkurier Online's own claim)."""
    if a.article_id == b.article_id or a.sources & b.sources:
        return True
    return bool((b.publisher and b.publisher in a.sources) or (a.publisher and a.publisher in b.sources))


def things_about(f: ClaimFeatures) -> frozenset[str]:
    """The entities a claim is about or mentions, places left out (see `_about_one_thing`)."""
    return f.context - f.places


def _may_join(a: ClaimFeatures, b: ClaimFeatures, config: LinkConfig,
              related: Callable[[str, str], bool]) -> bool:
    """Close values, or values that disagree about one thing (`_about_one_thing`), but only
    as far apart as a slip in reporting one quantity can put them (`plausible_disagreement`:
    a digit, a scale word)."""
    ratio = _value_ratio(a.value, b.value)
    return ratio <= config.same_value_ratio or (
        plausible_disagreement(ratio, config) and _about_one_thing(a, b, related))


def _about_one_thing(a: ClaimFeatures, b: ClaimFeatures, related: Callable[[str, str], bool]) -> bool:
    """Anchored by something other than a place: values that disagree may join only then.

    "Deutschland", "Europa", "Paris" are the setting of countless unrelated
    figures (ages, areas, durations); a contradiction needs the same company,
    product, person or programme ("DeepSeek-R1", "H100").
    """
    if things_about(a) & things_about(b):
        return True
    return bool(a.subject and b.subject and a.subject not in a.places and b.subject not in b.places
                and related(a.subject, b.subject))


def _anchored(a: ClaimFeatures, b: ClaimFeatures, related: Callable[[str, str], bool]) -> bool:
    """Both are about one thing: related subjects, one's subject named by the other, or a shared entity."""
    if a.subject and b.subject:
        return related(a.subject, b.subject) or a.subject in b.context or b.subject in a.context
    return bool(a.context & b.context)


def _measure_candidates(members: list[int], feats: list[ClaimFeatures], dirty: set[int], uf: FactUnionFind,
                        pairs: set[tuple[int, int]], config: LinkConfig,
                        related: Callable[[str, str], bool], subject_word: Callable[[str], str]) -> None:
    """Soft candidate pairs within one measure block.

    Candidates share an entity, or have related subjects (blocked by the first
    word of the subject's name: "deepseek" for DeepSeek and DeepSeek-R1), or
    one of them names no entity at all (then any claim of the measure may match).
    """
    # only groups with a dirty claim yield pairs: those of its entities and its subject's word
    entities = {e for m in members if m in dirty for e in feats[m].context}
    words = {subject_word(feats[m].subject) for m in members if m in dirty and feats[m].subject}
    by_entity: dict[str, list[int]] = defaultdict(list)
    by_subject_word: dict[str, list[int]] = defaultdict(list)
    bare = False
    for m in members:
        f = feats[m]
        for e in f.context:
            if e in entities:
                by_entity[e].append(m)
        if f.subject and subject_word(f.subject) in words:
            by_subject_word[subject_word(f.subject)].append(m)
        bare = bare or not f.context
    groups = list(by_entity.values()) + [g for g in by_subject_word.values()
                                         if len({feats[m].subject for m in g}) > 1]
    if bare:
        groups.append(members)      # entity-less claims may belong with any claim of the measure
    for group in groups:
        if len(group) < 2 or not any(m in dirty for m in group):
            continue
        order = _value_order(group, feats, uf)
        limit = config.block_top_k if len(set(order[1])) > config.block_pairwise_limit else len(group)
        for a, b in _component_pairs(order, [m for m in group if m in dirty], dirty, limit):
            if _soft_allowed(feats[a], feats[b], related) and _may_join(feats[a], feats[b], config, related):
                pairs.add((min(a, b), max(a, b)))


def _log_value(v: float) -> float:
    return math.log(abs(v)) if v else -math.inf


def _value_order(group: list[int], feats: list[ClaimFeatures], uf: FactUnionFind
                 ) -> tuple[list[int], list[int], list[float]]:
    """The group sorted by value: (claims, their components, their log values)."""
    order = sorted(group, key=lambda m: (_log_value(feats[m].value), m))
    return order, [uf.find(m) for m in order], [_log_value(feats[m].value) for m in order]


def _component_pairs(ordered: tuple[list[int], list[int], list[float]], seekers: list[int],
                     dirty: set[int], limit: int):
    """Each seeker meets each other fact (component) of the group once: its member nearest in value.

    A claim needs to meet a fact once to join it; more pairs would cost
    embeddings and change little. At most `limit` facts on each side, nearest
    in value first. Pairs without a dirty claim are skipped.
    """
    order, roots, logs = ordered
    where = {m: i for i, m in enumerate(order)}
    for d in seekers:
        pos = where[d]
        met = {roots[pos]}
        left, right, n_left, n_right = pos - 1, pos + 1, 0, 0
        while (left >= 0 and n_left < limit) or (right < len(order) and n_right < limit):
            go_left = right >= len(order) or n_right >= limit or (
                left >= 0 and n_left < limit and logs[pos] - logs[left] <= logs[right] - logs[pos])
            i = left if go_left else right
            if go_left:
                left -= 1
            else:
                right += 1
            if roots[i] in met:
                continue
            met.add(roots[i])
            if go_left:
                n_left += 1
            else:
                n_right += 1
            if d in dirty or order[i] in dirty:
                yield d, order[i]


def _prune(pairs: set[tuple[int, int]], feats: list[ClaimFeatures], dirty: set[int],
           uf: FactUnionFind, per_component: int = 1) -> set[tuple[int, int]]:
    """Drop pairs already in one component; keep at most `per_component` per (claim, other component).

    A new claim needs to meet a fact once to join it; more pairs would cost
    embeddings and change little. The member nearest in value is kept.
    """
    kept: set[tuple[int, int]] = set()
    seen: Counter = Counter()
    ordered = sorted(pairs, key=lambda p: (_value_ratio(feats[p[0]].value, feats[p[1]].value), p))
    for a, b in ordered:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        d, o = (a, rb) if a in dirty else (b, ra)
        if seen[(d, o)] >= per_component:
            continue
        seen[(d, o)] += 1
        kept.add((a, b))
    return kept


def _soft_allowed(a: ClaimFeatures, b: ClaimFeatures, related: Callable[[str, str], bool]) -> bool:
    """A pair worth a cosine: compatible change, and subjects (if both named) related."""
    if not _changes_compatible(a.change, b.change):
        return False
    if a.subject is not None and b.subject is not None:
        return related(a.subject, b.subject)
    return True


def _mkless_candidates(entity_blocks: dict[tuple, list[int]], feats: list[ClaimFeatures],
                       dirty: set[int], uf: FactUnionFind, config: LinkConfig,
                       related: Callable[[str, str], bool]) -> set[tuple[int, int]]:
    """Claims without measure_key: the facts sharing one of their entities, nearest in value first.

    The value order only bounds the work (`mkless_candidates` facts per claim,
    half on each side); only the same value (`same_value_ratio`) can join, and
    the decision is `soft_score` against the stricter `no_measure_score`.
    """
    out: set[tuple[int, int]] = set()
    side = max(1, config.mkless_candidates // 2)
    for members in entity_blocks.values():
        seekers = [m for m in members if not feats[m].measure_key and not _unmeasured_count(feats[m])]
        if not seekers or len(members) < 2 or not any(m in dirty for m in members):
            continue
        for a, b in _component_pairs(_value_order(members, feats, uf), seekers, dirty, side):
            if _soft_allowed(feats[a], feats[b], related) \
                    and _value_ratio(feats[a].value, feats[b].value) <= config.same_value_ratio:
                out.add((min(a, b), max(a, b)))
    return out


def _equal_value_runs(block: list[int], feats: list[ClaimFeatures], dirty: set[int],
                      ratio: float) -> list[list[int]]:
    """Runs of claims whose values lie within `ratio` of the run's smallest, with a new claim in them.

    Loose claims join only on the same number, so only these need embeddings.
    """
    if len(block) < 2:
        return []
    return [r for r in _value_runs(block, feats, ratio) if len(r) > 1 and any(m in dirty for m in r)]


def _link_loose(block: list[int], vecs: np.ndarray, rows: dict[int, int], feats: list[ClaimFeatures],
                dirty: set[int], uf: FactUnionFind, config: LinkConfig) -> None:
    """Claims with neither measure_key nor entities: near-paraphrases with close values only.

    They name no entities, so no two names can be "related" beyond being equal (`operator.eq`
    as `_soft_refused`'s relation).
    """
    sub = vecs[[rows[m] for m in block]]
    sims = sub @ sub.T
    for x in range(len(block)):
        for y in range(x + 1, len(block)):
            a, b = block[x], block[y]
            if not (a in dirty or b in dirty) or sims[x, y] < config.loose_cosine:
                continue
            if not _changes_compatible(feats[a].change, feats[b].change):
                continue
            if _value_ratio(feats[a].value, feats[b].value) <= config.equal_value_ratio \
                    and _same_figure(feats[a], feats[b], uf) \
                    and not _soft_refused(feats[a], feats[b], uf.span(a, b), config, operator.eq, uf):
                uf.union(a, b, soft=True)


def _lsh_buckets(block: list[int], sub: np.ndarray, config: LinkConfig) -> list[list[int]]:
    """Random-hyperplane buckets (several tables) of a block; small blocks stay whole."""
    if len(block) <= config.block_pairwise_limit:
        return [block]
    rng = np.random.default_rng(_LSH_SEED)
    planes = rng.standard_normal((config.lsh_tables, config.lsh_bits, sub.shape[1])).astype(np.float32)
    weights = (1 << np.arange(config.lsh_bits)).astype(np.int64)
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for t in range(config.lsh_tables):
        codes = ((sub @ planes[t].T) > 0).astype(np.int64) @ weights
        for pos, code in enumerate(codes.tolist()):
            buckets[(t, code)].append(block[pos])
    return [b for b in buckets.values() if len(b) > 1]


# -- the pure API -----------------------------------------------------------

def components(uf: FactUnionFind, n: int) -> list[list[int]]:
    """Groups of indices, each sorted, in order of their first index."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[uf.find(i)].append(i)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def summarize(members: list[ClaimRecord]) -> tuple[str | None, str | None, str | None]:
    """(subject, measure_key, unit) of a group: the most common value among its members."""
    def common(values):
        values = [v for v in values if v]
        return Counter(values).most_common(1)[0][0] if values else None

    return (common(m.claim.subject for m in members), common(m.claim.measure_key for m in members),
            common(m.claim.unit for m in members))


def subject_of(roles: dict[str, str], context: frozenset[str]) -> str | None:
    """The explicit subject entity, else the single entity the claim is about, else None."""
    explicit = sorted(e for e, r in roles.items() if r == "subject")
    if explicit:
        return explicit[0]
    return next(iter(context)) if len(context) == 1 else None


@dataclass(frozen=True)
class RoleFeatures:
    """What a claim's entity roles (entity_linking.claim_roles) give its ClaimFeatures.

    One function reads them for both builders of features (`features_from_roles`
    from a ClaimRecord, graph.link's bulk reader from plain columns), so the two
    cannot drift apart.
    """

    subject: str | None
    context: frozenset[str]         # every entity but the sources it is attributed to
    sources: frozenset[str]
    places: frozenset[str]


def role_features(roles: dict[str, str], places: frozenset[str] | set[str] = frozenset()) -> RoleFeatures:
    context = frozenset(e for e, r in roles.items() if r != "attributed_to")
    return RoleFeatures(subject=subject_of(roles, context), context=context,
                        sources=frozenset(e for e, r in roles.items() if r == "attributed_to"),
                        places=context & places)


def features_from_roles(rec: ClaimRecord, roles: dict[str, str],
                        units: UnitTable, usd_per_unit: Callable[[str], float | None],
                        scope: str | None, conversion_of: str | None,
                        publisher: str | None = None, places: frozenset[str] = frozenset()) -> ClaimFeatures:
    """Grouping features of a claim from its entity roles (see entity_linking.claim_roles)."""
    c = rec.claim
    r = role_features(roles, places)
    return ClaimFeatures(
        claim_id=rec.claim_id, article_id=rec.article_id, measure_key=c.measure_key,
        family=units.family(c.unit), per=c.per, change=c.change, subject=r.subject, context=r.context,
        value=base_value(c.value, c.unit, units, usd_per_unit),
        sentence=(rec.article_id, c.sentence_index), scope=scope, conversion_of=conversion_of,
        sources=r.sources, publisher=publisher,
        hedged=bool(c.hedged), places=r.places, timed=bool(c.time),
        earlier=bool(c.time) and ends_before(scope, rec.published, rec.published),
        written=(c.unit, c.value, c.low, c.high, c.qualifier, c.span),
    )


def group_facts(claims: list[ClaimRecord], vectors: np.ndarray | VectorSource | None,
                config: LinkConfig, roles: dict[str, dict[str, str]] | None = None,
                conversions: dict[str, str] | None = None,
                time_scopes: dict[str, str | None] | None = None,
                usd_per_unit: Callable[[str], float | None] | None = None) -> list[FactGroup]:
    """Group claims (given in ingestion order) into facts, without a record.

    `vectors`: one unit vector per claim (rows in `claims` order), a callable
    returning rows for given indices, or None (then only the embedding-free
    rules apply). `roles`: claim id -> {entity id: role}; when omitted the
    claims' mentions are linked against the gazetteer here. `time_scopes`:
    claim id -> normalized scope; when omitted, derived from each claim's time
    (graph.timescope). `conversions`: claim id of a conversion -> claim id it converts.
    """
    from graph.entity_linking import about_map, default_index, name_key

    units = load_units(config.units_path)
    usd = usd_per_unit or (lambda unit: None)
    conversions = conversions or {}
    if time_scopes is None:
        words = load_time_words(config.time_words_path)
        time_scopes = {r.claim_id: time_scope(r.claim.time, r.claim.time_key, r.published, words) for r in claims}
    scopes = time_scopes
    index = default_index(config)
    if roles is None:
        _, roles = about_map(claims, index)
    names = {eid: name_key(e.name, index.rules) for eid, e in index.entities.items()}
    by_name = {key: eid for eid, key in sorted(names.items())}
    places = frozenset(eid for eid, e in index.entities.items() if index.rules.group(e.type) == "loc")
    feats = [features_from_roles(rec, roles.get(rec.claim_id, {}), units, usd,
                                 scopes.get(rec.claim_id), conversions.get(rec.claim_id),
                                 by_name.get(name_key(rec.source, index.rules)), places)
             for rec in claims]
    if isinstance(vectors, np.ndarray):
        array = vectors
        source: VectorSource | None = lambda idx: array[idx]
    else:
        source = vectors
    uf = cluster(feats, set(range(len(feats))), source, config, subject_names=names)
    out = []
    for comp in components(uf, len(feats)):
        members = [claims[i] for i in comp]
        subject, mk, unit = summarize(members)
        ids = {m.claim_id for m in members}
        out.append(FactGroup(
            fact_id=fact_id_for(members[0].claim_id), members=members, subject=subject,
            measure_key=mk, unit=unit,
            time_scopes={m.claim_id: scopes.get(m.claim_id) for m in members},
            conversions={k: v for k, v in conversions.items() if k in ids and v in ids},
            about={feats[i].claim_id: things_about(feats[i]) for i in comp},
        ))
    return out
