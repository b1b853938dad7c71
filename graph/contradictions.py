"""Within one fact group: do the claims agree, disagree, or describe different times?

Each claim becomes an interval of values it allows, in the family's base unit
(USD for money, via the dated rate table or the article's own conversion):
"weniger als 6 Mio. Dollar" -> [0, 6.12e6]; "5,6 Mio." -> 5.6e6 +- 2 %;
"6 Mio." (one significant digit) -> [5.5e6, 6.5e6]: an exact figure written
with few digits is read as rounded. Two claims are consistent when their
intervals overlap.

Amounts in one currency are compared in it; rates only enter when a fact
mixes currencies. Claims with different stated times ("früher" 180.000 Yuan,
"jetzt" 75.000 Yuan) that disagree are a change over time, never a
contradiction; a claim that states no time is read as referring to whichever
stated time it agrees with, else to its day of publication (so "2023: 4,2
Mrd." against a later undated "5,8 Mrd." is a change). Two hedged claims do
not contradict each other, nor do values more than `max_disagreement_ratio`
apart. Every flag carries a reason a person can read and the evidence (both
claims' sentences, sources, intervals, the rates used).
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Callable

from graph.link_config import LinkConfig
from graph.link_types import FactGroup, Flag
from graph.rates import RateTable, implied_rate, parse_day, usd_rate
from graph.timescope import excludes, may_coincide
from graph.types import ClaimRecord
from graph.units import MONEY, UnitTable, load_units

_NUMBER = re.compile(r"\d(?:[\d.,'\u00a0\u202f ]*\d)?")
_MAX_PAIR_CHECKS = 2500
_SCOPE_ORDER = {"past": 0, "now": 2}
_QUALIFIER_TEXT = {"exact": "{v}", "approx": "about {v}", "upper_bound": "at most {v}",
                   "lower_bound": "at least {v}", "range": "{lo} to {hi}"}
_UNIT_TEXT = {"percent": " %", "percentage_points": " pp", "count": "", "multiple": "x"}
_SEVERITY_DOWN = {"high": "medium", "medium": "low", "low": "low"}
_ORDER_OF_MAGNITUDE = 10.0


@dataclass
class Reading:
    """One claim as the interval of values it allows, in the base unit of its family."""

    rec: ClaimRecord
    order: int
    lo: float
    hi: float
    base: str
    scope: str | None
    core: tuple[float, float] = (-math.inf, math.inf)   # the stated values, before any tolerance
    note: str = ""                      # how the value was converted, for the reason

    @property
    def claim_id(self) -> str:
        return self.rec.claim_id


@dataclass
class _Cluster:
    members: list[Reading] = field(default_factory=list)
    lo: float = -math.inf
    hi: float = math.inf

    def add(self, r: Reading) -> None:
        self.members.append(r)
        self.lo, self.hi = max(self.lo, r.lo), min(self.hi, r.hi)


# -- reading a claim as an interval -----------------------------------------

def significant_digits(span: str) -> int:
    """Significant digits of the number written in a span ("6 Mio." -> 1, "5,6" -> 2, "200.000" -> 1).

    Trailing zeros of a whole number do not count (they may be rounding);
    digits after a decimal separator do. Number words ("acht", "halbe") count as one.
    """
    m = _NUMBER.search(span)
    if not m:
        return 1
    token = re.sub(r"[\s'\u00a0\u202f]", "", m.group(0))
    groups = re.split(r"[.,]", token)
    decimal = len(groups) > 1 and not all(len(g) == 3 for g in groups[1:])
    digits = "".join(groups).lstrip("0")
    if not decimal:
        digits = digits.rstrip("0")
    return max(1, len(digits))


def rounding_unit(value: float, span: str) -> float:
    """One unit of the last significant digit the span writes ("6 Mio." -> 1e6, "5,6 Mio." -> 1e5,
    "27" -> 1); 0 for a zero value."""
    if value == 0:
        return 0.0
    return 10 ** (math.floor(math.log10(abs(value))) - significant_digits(span) + 1)


def rounding_tolerance(value: float, span: str, config: LinkConfig) -> float:
    """Relative half-unit of the last significant digit, between exact_tolerance and rounding_cap."""
    if value == 0:
        return config.exact_tolerance
    sig = significant_digits(span)
    unit = 10 ** (math.floor(math.log10(abs(value))) - sig + 1)
    rel = unit / 2 / abs(value)
    return min(max(rel, config.exact_tolerance), config.rounding_cap)


def _floor(value: float, unit: str, units: UnitTable) -> float:
    """Where an open lower bound starts: 0 for amounts, minus infinity for signed values.

    A negative value is signed whatever its unit says ("unter -11,5 °C").
    """
    return 0.0 if units.is_nonnegative(unit) and value >= 0 else -math.inf


def claim_interval(rec: ClaimRecord, units: UnitTable, config: LinkConfig) -> tuple[float, float]:
    """[lo, hi] the claim allows, in its own unit, after qualifier and rounding tolerance."""
    c = rec.claim
    return allowed_interval(c.value, c.low, c.high, c.qualifier, c.span, c.unit, units, config)


def allowed_interval(value: float, low: float | None, high: float | None, qualifier: str, span: str,
                     unit: str, units: UnitTable, config: LinkConfig) -> tuple[float, float]:
    """[lo, hi] a quantity allows as written, in its own unit (see `claim_interval`).

    Also what grouping reads one article's figures as (graph.facts): an article
    that writes "7,48 Euro" and "7,95 Euro" means two things, since it does not
    contradict itself.
    """
    floor = _floor(value, unit, units)
    if qualifier == "upper_bound":
        hi = high if high is not None else value
        return floor, _widen(hi, config.bound_tolerance, up=True)
    if qualifier == "lower_bound":
        lo = low if low is not None else value
        return _widen(lo, config.bound_tolerance, up=False), math.inf
    if qualifier == "range":
        lo = low if low is not None else value
        hi = high if high is not None else value
        return _widen(lo, config.bound_tolerance, up=False), _widen(hi, config.bound_tolerance, up=True)
    rel = rounding_tolerance(value, span, config)
    if qualifier == "approx":
        rel = max(rel, config.approx_tolerance)
        if low is not None and high is not None and low < high:
            return min(low, _widen(value, rel, up=False)), max(high, _widen(value, rel, up=True))
    return _widen(value, rel, up=False), _widen(value, rel, up=True)


def stated_interval(rec: ClaimRecord, units: UnitTable) -> tuple[float, float]:
    """The values as stated, without tolerance: how far apart two claims are is measured on these."""
    c = rec.claim
    floor = _floor(c.value, c.unit, units)
    low = c.low if c.low is not None else c.value
    high = c.high if c.high is not None else c.value
    return {"upper_bound": (floor, high), "lower_bound": (low, math.inf),
            "range": (low, high)}.get(c.qualifier, (c.value, c.value))


def _widen(x: float, rel: float, up: bool) -> float:
    return x + abs(x) * rel if up else x - abs(x) * rel


def implied_article_rates(claims: list[ClaimRecord], conversions: dict[str, str],
                          rates: RateTable) -> dict[str, dict[str, float]]:
    """article id -> {currency: USD per unit} implied by the article's own conversions."""
    by_id = {c.claim_id: c for c in claims}
    out: dict[str, dict[str, float]] = {}
    for conv_id, orig_id in sorted(conversions.items()):
        conv, orig = by_id.get(conv_id), by_id.get(orig_id)
        if conv is None or orig is None or conv.article_id != orig.article_id:
            continue
        found = implied_rate(orig.claim.value, orig.claim.unit, conv.claim.value, conv.claim.unit,
                             rates, orig.published)
        if found:
            out.setdefault(orig.article_id, {})[found[0]] = found[1]
    return out


def read_claim(rec: ClaimRecord, order: int, scope: str | None, rates: RateTable,
               article_rates: dict[str, float] | None, units: UnitTable,
               config: LinkConfig, money_base: str = "USD") -> Reading | None:
    """The claim's interval in its family's base unit; None when no rate converts it.

    Money is compared in `money_base`: USD, reached with dated rates, or the one
    currency all of a fact's amounts share (see `money_base_of`).
    """
    c = rec.claim
    lo, hi = claim_interval(rec, units, config)
    core_lo, core_hi = stated_interval(rec, units)
    base = money_base if units.family(c.unit) == MONEY else units.base_unit(c.unit)
    note = ""
    if units.family(c.unit) == MONEY and c.unit != money_base:
        rate, source = usd_rate(c.unit, rec.published, rates, article_rates)
        if rate is None:
            return None
        tol = config.approx_tolerance if article_rates and c.unit in article_rates else config.fx_tolerance
        lo, hi = _widen(lo * rate, tol, up=False), _widen(hi * rate, tol, up=True)
        note = f"{c.unit}->USD at {rate:.4g} ({source})"
    else:
        rate = units.factor(c.unit)
        lo, hi = lo * rate, hi * rate
    return Reading(rec, order, lo, hi, base, scope, (core_lo * rate, core_hi * rate), note)


def money_base_of(members: list[ClaimRecord], units: UnitTable) -> str:
    """The currency a fact's amounts are compared in: their own when they all share one, else USD.

    Why: "7,14 Euro" and "7,48 Euro" differ by 4.8 %; read through USD at each
    article's dated rate, each would gain `fx_tolerance` (and two dates two
    rates) and they would seem to agree. A rate only enters when currencies differ.
    """
    currencies = {m.claim.unit for m in members if units.family(m.claim.unit) == MONEY}
    return currencies.pop() if len(currencies) == 1 else "USD"


# -- comparing --------------------------------------------------------------

def overlaps(a: Reading | _Cluster, b: Reading | _Cluster) -> bool:
    return a.lo <= b.hi and b.lo <= a.hi


def gap_ratio(a: Reading | _Cluster, b: Reading | _Cluster) -> float:
    """How far apart two disjoint intervals are, as a factor (1.0 when they overlap)."""
    return _factor(a.lo, a.hi, b.lo, b.hi)


def stated_factor(a: Reading, b: Reading) -> float:
    """How far apart the stated values are ("5,6 Mio." vs "60 Mio." -> 10.7)."""
    return _factor(*a.core, *b.core)


def _factor(alo: float, ahi: float, blo: float, bhi: float) -> float:
    if alo <= bhi and blo <= ahi:
        return 1.0
    (_, lhi), (hlo, _) = ((alo, ahi), (blo, bhi)) if ahi < blo else ((blo, bhi), (alo, ahi))
    if lhi > 0:
        return hlo / lhi
    if hlo < 0:
        return lhi / hlo
    return math.inf


def value_clusters(readings: list[Reading]) -> list[_Cluster]:
    """Minimum set of groups whose intervals share a common value (greedy stabbing by upper end)."""
    clusters: list[_Cluster] = []
    stab = math.nan
    for r in sorted(readings, key=lambda r: (r.hi, r.lo, r.order)):
        if clusters and r.lo <= stab:
            clusters[-1].add(r)
        else:
            clusters.append(_Cluster())
            clusters[-1].add(r)
            stab = r.hi
    for c in clusters:
        c.members.sort(key=lambda r: r.order)
    clusters.sort(key=lambda c: c.members[0].order)
    return clusters


def _scope_sort(scope: str) -> tuple:
    return (_SCOPE_ORDER.get(scope, 1), scope)


def judge_fact(group: FactGroup, rates: RateTable, config: LinkConfig | None = None,
               units: UnitTable | None = None,
               article_rates: dict[str, dict[str, float]] | None = None) -> tuple[str, list[Flag]]:
    """(verdict, flags) for one fact group: consistent | contradictory | changed_over_time | single.

    `article_rates` are implied rates per article (from all its conversions);
    when omitted, the group's own conversions are used.
    """
    config = config or LinkConfig()
    units = units or load_units(config.units_path)
    if article_rates is None:
        article_rates = implied_article_rates(group.members, group.conversions, rates)
    if len(group.members) <= 1:
        return "single", []
    readings: list[Reading] = []
    money_base = money_base_of(group.members, units)
    for order, rec in enumerate(group.members):
        r = read_claim(rec, order, group.time_scopes.get(rec.claim_id), rates,
                       article_rates.get(rec.article_id), units, config, money_base)
        if r is not None:
            readings.append(r)
    flags: list[Flag] = []
    conv_pairs = {frozenset(p) for p in group.conversions.items()}
    by_family: dict[str, list[Reading]] = {}
    for r in readings:
        by_family.setdefault(units.family(r.rec.claim.unit), []).append(r)
    for family_readings in by_family.values():
        flags.extend(_judge_readings(group, family_readings, conv_pairs, config))
    kinds = {f.kind for f in flags}
    if "contradiction" in kinds:
        verdict = "contradictory"
    elif "change_over_time" in kinds:
        verdict = "changed_over_time"
    else:
        verdict = "consistent"
    return verdict, flags


def _judge_readings(group: FactGroup, readings: list[Reading], conv_pairs: set[frozenset],
                    config: LinkConfig) -> list[Flag]:
    """Flags among comparable readings of one fact.

    Claims with a stated time are compared within their time; main values of
    different times that differ are a change. Claims without a stated time are
    compared with each other (unless each agrees with a different stated time:
    then they are read as describing those times; or one agrees with stated
    times that exclude the other's day of publication, which the other is read
    as describing), and a group of them that agrees with no stated time is set
    against the nearest one (`_undated_against`).
    """
    scoped: dict[str, list[Reading]] = {}
    unscoped: list[Reading] = []
    for r in readings:
        (scoped.setdefault(r.scope, []) if r.scope is not None else unscoped).append(r)
    clusters = {s: value_clusters(rs) for s, rs in scoped.items()}
    loose = value_clusters(unscoped)
    explicit = [(s, c) for s in sorted(clusters, key=_scope_sort) for c in clusters[s]]
    explained = [[(s, c) for s, c in explicit if overlaps(u, c)] for u in loose]

    flags: list[Flag] = []
    for cs in clusters.values():
        flags.extend(_cluster_flags(group, cs, conv_pairs, config))
    contradicted = set()
    for i in range(len(loose)):
        for j in range(i + 1, len(loose)):
            times_i, times_j = {s for s, _ in explained[i]}, {s for s, _ in explained[j]}
            if times_i and times_j and not (times_i & times_j):
                continue            # each agrees with another stated time: no conflict
            if _read_apart(explained[i], loose[j]) or _read_apart(explained[j], loose[i]):
                continue            # one is read as an earlier (or later) time, the other as its day
            pair = _first_conflict(loose[i], loose[j], conv_pairs, _contradicting(group, config))
            if pair:
                flags.append(_disagreement(group, *pair, config))
                contradicted |= {i, j}
    for i, u in enumerate(loose):
        flags.extend(_corroborations(group, u))
        if explained[i]:
            flags.extend(_corroborations(group, u, explained[i][0][1]))
        elif explicit and i not in contradicted:
            scope, nearest = min(explicit, key=lambda sc: (gap_ratio(u, sc[1]), _scope_sort(sc[0])))
            flags.extend(_undated_against(group, u, scope, nearest, conv_pairs, config))
    # Different stated times whose main values differ: a change over time.
    mains = {s: max(cs, key=lambda c: (len(c.members), -c.members[0].order)) for s, cs in clusters.items()}
    ordered = sorted(mains, key=_scope_sort)
    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            a, b = mains[ordered[i]], mains[ordered[j]]
            ratio = stated_factor(a.members[0], b.members[0])
            if not overlaps(a, b) and plausible_disagreement(ratio, config) \
                    and not _times_may_coincide(a.members[0], b.members[0]):
                flags.append(_change(group, a.members[0], b.members[0], ratio))
    return flags


def _times_may_coincide(a: Reading, b: Reading) -> bool:
    """Whether two stated times may hold one moment (`timescope.may_coincide`): then their
    values are not a change over time ("seit 1985 ... rund 7.900 Mitarbeiter" is today's
    figure as much as "derzeit über 9.000"). Nor are they a contradiction: times we can
    place only roughly do not accuse anyone."""
    return may_coincide(a.scope, b.scope)


def _read_apart(times: list[tuple[str, _Cluster]], other: _Cluster) -> bool:
    """Whether undated claims explained by `times` (the stated times they agree with) and the
    undated `other`, read as of its articles' days, describe different moments: every one
    of those times excludes every day of `other` ("4,3 Mrd." agreeing with "2023: 4,2 Mrd."
    beside "5,8 Mrd." of 2025)."""
    if not times:
        return False
    stated = [(s, max(x.rec.published or "" for x in c.members)) for s, c in times]
    return all(r.rec.published and excludes(s, said, r.rec.published) for s, said in stated for r in other.members)


def _undated_against(group: FactGroup, undated: _Cluster, scope: str, nearest: _Cluster,
                     conv_pairs: set[frozenset], config: LinkConfig) -> list[Flag]:
    """Undated claims that agree with no stated time, against the nearest stated time.

    An undated claim describes the moment its article appeared. When the
    stated time does not hold that moment for any of them (it was over:
    "im Jahr 2023 ... 4,2 Mrd." against a later "5,8 Mrd."; or not yet begun:
    a forecast for 2027), the value changed. Otherwise it is a contradiction
    of low severity: it may describe another moment.
    """
    stated_in = max(r.rec.published or "" for r in nearest.members)
    if all(r.rec.published and excludes(scope, stated_in, r.rec.published) for r in undated.members):
        pair = _first_conflict(nearest, undated, conv_pairs, _changing(config))
        if pair is None:
            return []
        dated, undated_one = pair if pair[0].scope is not None else pair[::-1]
        return [_change(group, dated, undated_one, stated_factor(dated, undated_one), undated=True)]
    pair = _first_conflict(undated, nearest, conv_pairs, _contradicting(group, config))
    return [_disagreement(group, *pair, config, mixed_scope=True)] if pair else []


def _cluster_flags(group: FactGroup, clusters: list[_Cluster], conv_pairs: set[frozenset],
                   config: LinkConfig) -> list[Flag]:
    """Corroborations inside each value cluster, contradictions between clusters of one time."""
    flags: list[Flag] = []
    for cluster in clusters:
        flags.extend(_corroborations(group, cluster))
    for i in range(len(clusters)):
        for j in range(i + 1, len(clusters)):
            pair = _first_conflict(clusters[i], clusters[j], conv_pairs, _contradicting(group, config))
            if pair:
                flags.append(_disagreement(group, *pair, config))
    return flags


def _first_conflict(a: _Cluster, b: _Cluster, conv_pairs: set[frozenset],
                    may_conflict: Callable[[Reading, Reading], bool]) -> tuple[Reading, Reading] | None:
    """The earliest pair of claims, one from each cluster, whose intervals do not overlap and
    that `may_conflict` (`_contradicting` or `_changing`) lets disagree."""
    checks = 0
    for x in a.members:
        for y in b.members:
            checks += 1
            if checks > _MAX_PAIR_CHECKS:
                return None
            if frozenset((x.claim_id, y.claim_id)) in conv_pairs:
                continue
            if not overlaps(x, y) and may_conflict(x, y):
                return (x, y) if x.order <= y.order else (y, x)
    return None


def plausible_disagreement(ratio: float, config: LinkConfig) -> bool:
    """Whether two values this far apart (a factor) can be one quantity reported differently.

    Rounding, estimates and a slipped digit stay within `max_digit_slip_ratio` ("5,6 Mio."
    against "60 Mio.", "7.500" for "75.000"); a scale word read wrongly ("Billion" as
    "billion") lies between `scale_slip_ratio` and `max_disagreement_ratio`. Anything in
    between, or beyond, measures two things: no fact, no contradiction, no change.
    """
    return ratio <= config.max_digit_slip_ratio or (
        config.scale_slip_ratio <= ratio <= config.max_disagreement_ratio)


def _changing(config: LinkConfig) -> Callable[[Reading, Reading], bool]:
    """Values of different times differ as a change unless implausibly far apart
    (`plausible_disagreement`: then they measure different things)."""
    return lambda x, y: plausible_disagreement(stated_factor(x, y), config)


def _contradicting(group: FactGroup, config: LinkConfig) -> Callable[[Reading, Reading], bool]:
    """When disagreeing values are a contradiction.

    Not when implausibly far apart (`plausible_disagreement`: two things, not one
    misreported), nor when
    both claims are hedged: neither source asserts its figure ("angeblich 25 GWh",
    "Berichten zufolge 60 GWh"), so two rumours that differ accuse no one. When
    `group.about` is known (the linking stage knows it), both must also name the same
    measure and be about a common entity other than a place: without them, what the
    numbers count is a guess, and a guess is no contradiction.
    """
    def may(x: Reading, y: Reading) -> bool:
        if not plausible_disagreement(stated_factor(x, y), config):
            return False
        if x.rec.claim.hedged and y.rec.claim.hedged:
            return False
        return group.about is None or _comparable(x, y, group.about)
    return may


def _comparable(x: Reading, y: Reading, about: dict[str, frozenset[str]]) -> bool:
    mk = x.rec.claim.measure_key
    return bool(mk and mk == y.rec.claim.measure_key
                and about.get(x.claim_id, frozenset()) & about.get(y.claim_id, frozenset()))


# -- flags ------------------------------------------------------------------

def flag_id(kind: str, *parts: str | None) -> str:
    return hashlib.sha1("\x1f".join([kind, *(p or "" for p in parts)]).encode()).hexdigest()[:16]


def _disagreement(group: FactGroup, a: Reading, b: Reading, config: LinkConfig,
                  mixed_scope: bool = False) -> Flag:
    """A contradiction; or a change over time when neither states a time but years lie between them.

    Severity: high when the stated values are `high_severity_ratio` apart, else
    medium; one step lower when a claim is hedged (unless an order of magnitude
    apart); low when only one states a time (it may describe another moment).
    """
    ratio = stated_factor(a, b)
    if a.scope is None and b.scope is None and _days_apart(a, b) > config.implicit_time_gap_days:
        return _change(group, a, b, ratio, implicit=True)
    severity = "high" if ratio >= config.high_severity_ratio else "medium"
    hedged = a.rec.claim.hedged or b.rec.claim.hedged
    if hedged and ratio < _ORDER_OF_MAGNITUDE:
        severity = _SEVERITY_DOWN[severity]
    if mixed_scope:
        severity = "low"
    reason = (f"{_who(a)}: {describe(a)}{_scope_text(a)}; {_who(b)}: {describe(b)}{_scope_text(b)}; "
              f"{_interval(a)} and {_interval(b)} {a.base} do not overlap"
              f"{_factor_text(ratio)}{_notes(a, b)}")
    if mixed_scope:
        reason += "; only one of them states a time"
    if hedged:
        reason += "; " + " and ".join(_who(r) for r in (a, b) if r.rec.claim.hedged) + " hedges the claim"
    return Flag(id=flag_id("contradiction", group.fact_id, a.claim_id, b.claim_id), kind="contradiction",
                severity=severity, reason=reason, claim_a=a.claim_id, claim_b=b.claim_id,
                article_a=a.rec.article_id, article_b=b.rec.article_id, fact_id=group.fact_id,
                data=_evidence(a, b, ratio))


def _change(group: FactGroup, a: Reading, b: Reading, ratio: float, implicit: bool = False,
            undated: bool = False) -> Flag:
    """A change over time from `a` to `b`: they state different times; or neither states one and
    they appeared years apart (`implicit`); or `b` states none and `a`'s time excludes the day
    `b` appeared (`undated`)."""
    if implicit:
        why = (f"neither states a time, and they were published {_days_apart(a, b)} days apart: "
               "read as a change over time")
    elif undated:
        why = f"{_who(b)} states no time, and its publication lies outside {a.scope}"
    else:
        why = f"they describe different times ({a.scope} vs {b.scope})"
    reason = (f"{_who(a)}: {describe(a)}{_scope_text(a)}; {_who(b)}: {describe(b)}{_scope_text(b)}; "
              f"the values differ{_factor_text(ratio)} but {why}{_notes(a, b)}")
    return Flag(id=flag_id("change_over_time", group.fact_id, a.claim_id, b.claim_id),
                kind="change_over_time", severity="info", reason=reason, claim_a=a.claim_id,
                claim_b=b.claim_id, article_a=a.rec.article_id, article_b=b.rec.article_id,
                fact_id=group.fact_id, data=_evidence(a, b, ratio))


def _corroborations(group: FactGroup, cluster: _Cluster, other: _Cluster | None = None) -> list[Flag]:
    """Agreeing claims of different sources corroborate the first one.

    Within one cluster: the first claim of each further source. With `other`
    (the stated-time cluster an undated cluster agrees with): the first claim of
    each source of `cluster` not already among `other`'s sources.
    """
    firsts: dict[str, Reading] = {}
    for r in (other.members if other else []) + cluster.members:
        firsts.setdefault(r.rec.source, r)
    reps = sorted(firsts.values(), key=lambda r: r.order)
    if other:
        mine = {id(r) for r in cluster.members}
        reps = [other.members[0]] + [r for r in reps if id(r) in mine]
    if len(reps) < 2:
        return []
    a = reps[0]
    first = f"{_who(a)}: {describe(a)}{_scope_text(a)}; "     # the same in each of a large fact's flags
    interval = _interval(a)
    out = []
    for b in reps[1:]:
        independent = frozenset((a.rec.article_id, b.rec.article_id)) not in group.non_independent
        reason = (f"{first}{_who(b)}: {describe(b)}{_scope_text(b)}; "
                  f"{interval} and {_interval(b)} {a.base} overlap"
                  + ("" if independent else "; not independent: one article repeats or cites the other"))
        data = _evidence(a, b, 1.0)
        data["independent"] = independent
        out.append(Flag(id=flag_id("corroboration", group.fact_id, a.claim_id, b.claim_id),
                        kind="corroboration", severity="info", reason=reason, claim_a=a.claim_id,
                        claim_b=b.claim_id, article_a=a.rec.article_id, article_b=b.rec.article_id,
                        fact_id=group.fact_id, data=data))
    return out


def _evidence(a: Reading, b: Reading, ratio: float) -> dict:
    return {
        "claims": [_claim_data(a), _claim_data(b)],
        "factor": None if math.isinf(ratio) else round(ratio, 4),
    }


def _claim_data(r: Reading) -> dict:
    c = r.rec.claim
    return {
        "claim_id": r.claim_id, "article_id": r.rec.article_id, "source": r.rec.source,
        "url": r.rec.url, "published": r.rec.published, "sentence": c.text, "span": c.span,
        "value": c.value, "unit": c.unit, "qualifier": c.qualifier, "hedged": c.hedged,
        "time": c.time, "scope": r.scope, "interval": [_json_num(r.lo), _json_num(r.hi)],
        "base_unit": r.base, "conversion": r.note or None,
    }


def _json_num(x: float) -> float | None:
    return None if math.isinf(x) else x


# -- wording ----------------------------------------------------------------

def describe(r: Reading) -> str:
    """The claim as a person would say it: "at most 6 M USD", "about 180,000 CNY per month"."""
    c = r.rec.claim
    fmt = _QUALIFIER_TEXT.get(c.qualifier, "{v}")
    text = fmt.format(v=amount(c.value, c.unit), lo=amount(c.low if c.low is not None else c.value, c.unit),
                      hi=amount(c.high if c.high is not None else c.value, c.unit))
    if c.per:
        text += f" per {c.per}"
    return text + (" (hedged)" if c.hedged else "")


def amount(value: float, unit: str) -> str:
    for limit, word in ((1e12, "T"), (1e9, "bn"), (1e6, "M")):
        if abs(value) >= limit:
            number = f"{value / limit:.3g} {word}"
            break
    else:
        number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    suffix = _UNIT_TEXT.get(unit)
    if suffix is None:
        suffix = f" {unit}"
    return f"{number}{suffix}"


def num(x: float) -> str:
    """Compact number for intervals: 6e6, 5.7e7, 81.6, inf."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x != 0 and (abs(x) >= 99995 or abs(x) < 1e-3):
        exp = math.floor(math.log10(abs(x)))
        mantissa = f"{x / 10 ** exp:.3g}"
        if mantissa.lstrip("-") == "10":
            exp, mantissa = exp + 1, mantissa.replace("10", "1")
        return f"{mantissa}e{exp}"
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _interval(r: Reading | _Cluster) -> str:
    return f"[{num(r.lo)}, {num(r.hi)}]"


def _who(r: Reading) -> str:
    day = r.rec.published[:10] if r.rec.published else "undated"
    return f"{r.rec.source} ({day})"


def _scope_text(r: Reading) -> str:
    c = r.rec.claim
    return f" ({c.time})" if c.time else ""


def _factor_text(ratio: float) -> str:
    if ratio <= 1.0:
        return ""
    if math.isinf(ratio):
        return ""
    return f" (a factor of {ratio:.3g} apart)" if ratio >= 1.1 else ""


def _notes(a: Reading, b: Reading) -> str:
    notes = [r.note for r in (a, b) if r.note]
    return "; " + "; ".join(dict.fromkeys(notes)) if notes else ""


def _days_apart(a: Reading, b: Reading) -> int:
    da, db = parse_day(a.rec.published), parse_day(b.rec.published)
    if da is None or db is None:
        return 0
    return abs((da - db).days)
