"""Union-find over claims that refuses the unions the evidence speaks against.

graph.facts decides which claims should be one fact; `FactUnionFind` keeps the
components and vetoes a union that would put two claims of one sentence (at one
time), two differing figures of one article, or (for resemblance alone) unrelated
subjects into one fact. `value_ratio` is how far apart two values are, as a factor.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

from graph.claim_features import ClaimFeatures
from graph.contradictions import allowed_interval
from graph.link_config import LinkConfig
from graph.units import load_units


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
        """How far apart (as a factor, `value_ratio`) the values of a's and b's components would lie
        if joined."""
        ra, rb = self.find(a), self.find(b)
        return value_ratio(min(self.lo[ra], self.lo[rb]), max(self.hi[ra], self.hi[rb]))

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
        if value_ratio(v1, v2) > self.same_value_ratio:
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


def value_ratio(a: float, b: float) -> float:
    """How far apart two values are, as a factor; opposite signs (-11.5 °C, 11.5 °C) are infinitely far."""
    if a * b < 0:
        return math.inf
    a, b = abs(a), abs(b)
    if a == 0 or b == 0:
        return math.inf if a != b else 1.0
    return max(a, b) / min(a, b)
