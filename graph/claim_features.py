"""What fact grouping knows about one claim: `ClaimFeatures`, and how it is built.

Two builders make them: `features_from_roles` from a ClaimRecord (graph.facts.group_facts,
the pure API) and graph.link's bulk reader from plain record columns. Both read a claim's
entity roles through `role_features`, so they cannot drift apart. `claim_context` is the
short text whose embedding compares two claims' wording.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from graph.timescope import ends_before
from graph.types import ClaimRecord
from graph.units import UnitTable

_WORD = re.compile(r"\S+")
_CONTEXT_WORDS = 6            # words each side of the quantity in the embedded context


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
