"""Plain dataclasses that leave the cross-article stage (linking, facts, flags, copies).

They are what `graph.link` writes into the record (tables entities, facts,
fact_members, flags) and what the pure functions (`group_facts`, `judge_fact`,
`find_copies`, `link_entities`) return, so tests can check the logic without
SQLite.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from graph.types import ClaimRecord


@dataclass
class CanonicalEntity:
    """One real-world entity behind many mentions.

    `id` is the gazetteer's kb_id when there is one (stable across languages),
    else "<type group>:<slug of the normalized name>" (e.g. "org:kestrel-research").
    `aliases` are the other surface forms seen (and the gazetteer's), sorted.
    """

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    kb_id: str | None = None


@dataclass
class FactGroup:
    """Claims from one or more articles about the same subject and measure.

    `fact_id` is derived from the earliest member claim in ingestion order, so it
    stays the same when later articles join the group. `time_scopes` maps a
    claim id to its normalized time scope ("2024", "now", "past", or None when
    the claim states none we understand); `conversions` maps a conversion claim
    to the claim it converts; `non_independent` holds article pairs where one
    copies or cites the other (their agreement is no independent corroboration).
    `about` maps a claim id to the entities it is about, places left out; when
    given, only claims about a common one can contradict each other.
    """

    fact_id: str
    members: list[ClaimRecord]
    subject: str | None = None
    measure_key: str | None = None
    unit: str | None = None
    first_claim_id: str | None = None
    time_scopes: dict[str, str | None] = field(default_factory=dict)
    conversions: dict[str, str] = field(default_factory=dict)
    non_independent: set[frozenset[str]] = field(default_factory=set)
    about: dict[str, frozenset[str]] | None = None


@dataclass
class Flag:
    """Something a fact-checker should look at, with a reason a person can read.

    kind: contradiction | corroboration | change_over_time | copy | ai_generated | hedged.
    severity: high | medium | low | info. `data` holds the evidence (claim
    sentences, sources, intervals, shared text) as JSON-serializable values.
    """

    id: str
    kind: str
    severity: str
    reason: str
    claim_a: str | None = None
    claim_b: str | None = None
    article_a: str | None = None
    article_b: str | None = None
    fact_id: str | None = None
    data: dict = field(default_factory=dict)


@dataclass
class CopyLink:
    """Article `article_a` (the later one) repeats text of `article_b` (the original).

    `similarity` is the share of the copier's word shingles found in the
    original; `shared_text` the longest passage they have in common.
    """

    article_a: str
    article_b: str
    similarity: float
    shared_text: str
    shared_shingles: int
