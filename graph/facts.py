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
  (`graph.fact_union.FactUnionFind`), and never values more than `max_disagreement_ratio` apart;
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
from collections import Counter, defaultdict
from typing import Callable, Iterable

import numpy as np

from graph.claim_features import ClaimFeatures, features_from_roles
from graph.contradictions import plausible_disagreement, rounding_unit
from graph.fact_union import FactUnionFind, name_related, value_ratio
from graph.link_config import LinkConfig
from graph.link_types import FactGroup
from graph.timescope import load_time_words, names_a_year, time_scope
from graph.types import ClaimRecord
from graph.units import load_units

VectorSource = Callable[[list[int]], np.ndarray]

_LSH_SEED = 20250101          # fixed: buckets must be the same in every run
# value ratio -> share of `value_bonus` added to a soft score: close values help
# a little, a factor 10 apart counts against (never decisive on its own)
_VALUE_WEIGHTS = ((1.25, 1.0), (2.0, 0.5), (4.0, 0.0), (10.0, -0.5), (math.inf, -1.5))


def fact_id_for(seed_claim_id: str) -> str:
    """A fact is named after its earliest member (ingestion order): stable when members join."""
    return hashlib.sha1(f"fact\x1f{seed_claim_id}".encode()).hexdigest()[:16]


# -- pair rules -------------------------------------------------------------

def _changes_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def soft_score(a: ClaimFeatures, b: ClaimFeatures, cos: float, config: LinkConfig,
               related: Callable[[str, str], bool] | None = None) -> float:
    """Context cosine plus small bonuses: a shared entity or related subjects, a close value.

    Never decisive alone: the bonuses add at most `context_bonus + value_bonus`.
    """
    score = cos
    same_subject = bool(related and a.subject and b.subject and related(a.subject, b.subject))
    if a.context & b.context or same_subject:
        score += config.context_bonus
    ratio = value_ratio(a.value, b.value)
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
    pairs = {(a, b) for a, b in pairs if _may_ever_join(a, b, feats, uf, config, related)}
    mkless = {(a, b) for a, b in mkless if _may_ever_join(a, b, feats, uf, config, related, same=True)}
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
        # the pairs are those `_may_ever_join` kept: what is left to decide reads the cosine, or
        # the value span, which the unions made so far may have widened
        for score, a, b, cos in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
            if score < config.same_fact_score:
                continue
            if _unanchored(feats[a], feats[b], related) and cos < config.loose_cosine:
                continue
            # values that disagree need stronger evidence: a contradiction must be more certain
            # than a corroboration
            if not _same_figure(feats[a], feats[b], uf) and score < config.disagreeing_score:
                continue
            if _soft_refused(feats[a], feats[b], uf.span(a, b), config, related, uf):
                continue
            uf.union(a, b, soft=True)
    for a, b in sorted(mkless):
        cos = float(vecs[rows[a]] @ vecs[rows[b]])
        if not (_unanchored(feats[a], feats[b], related) and cos < config.loose_cosine) \
                and not _soft_refused(feats[a], feats[b], uf.span(a, b), config, related, uf) \
                and soft_score(feats[a], feats[b], cos, config, related) >= config.no_measure_score:
            uf.union(a, b, soft=True)
    for block in loose:
        sub = vecs[[rows[m] for m in block]]
        for bucket in _lsh_buckets(block, sub, config):
            _link_loose(bucket, vecs, rows, feats, dirty, uf, config)
    return uf


def _may_ever_join(i: int, j: int, feats: list[ClaimFeatures], uf: FactUnionFind, config: LinkConfig,
                   related: Callable[[str, str], bool], same: bool = False) -> bool:
    """Whether some context cosine could let the soft pass join claims i and j: False when a rule
    that does not read the cosine refuses them (`cluster`'s loops then check only what reads the
    cosine, and the value span again).

    Why: embedding a claim's context is most of linking's time, and a claim needs a vector only
    for pairs that a cosine can decide. What is read here cannot change for the better while
    the soft pass runs: features are fixed, and a union only widens the value span of the
    components (`_soft_refused`), so a pair refused now is refused then. `same`: the pair must
    be one figure (claims without measure, `_mkless_candidates`).
    """
    a, b = feats[i], feats[j]
    same_figure = _same_figure(a, b, uf)
    # values that disagree join only claims about one thing (a contradiction must be about
    # something), never two reports that share nothing but their measure
    if same:
        if not same_figure:
            return False
    elif not _may_join(a, b, config, related) or (not same_figure and (
            not _about_one_thing(a, b, related) or _unanchored(a, b, related))):
        return False
    return not _soft_refused(a, b, uf.span(i, j), config, related, uf)


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
            value_ratio(a.value, b.value) > config.same_value_ratio
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
                    and value_ratio(fh.value, feats[m].value) <= ratio]
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
        if value_ratio(feats[run[0]].value, feats[m].value) <= ratio:
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
        r = value_ratio(value, feats[g].value)
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
        if any(g != m and value_ratio(f.value, feats[g].value) <= ratio for g in group):
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
                ratio = value_ratio(fd.value, fo.value)
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
    ratio = value_ratio(a.value, b.value)
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
    ordered = sorted(pairs, key=lambda p: (value_ratio(feats[p[0]].value, feats[p[1]].value), p))
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
                    and value_ratio(feats[a].value, feats[b].value) <= config.same_value_ratio:
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
            if value_ratio(feats[a].value, feats[b].value) <= config.equal_value_ratio \
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
