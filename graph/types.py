"""Plain dataclasses for the cross-article stage (linking, facts, flags).

`ClaimRecord` is what the record store hands to linking: one claim with the
identity and provenance of the article it was stated in. The outputs
(`CanonicalEntity`, `FactGroup`, `Flag`, `CopyLink`) go back into the record and
from there into Neo4j.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nlp.types import Claim


@dataclass
class ClaimRecord:
    claim_id: str          # stable: sha1 of article content hash + start + end
    article_id: str        # stable: sha1 of canonical url
    source: str            # publishing outlet (domain or site name)
    url: str
    published: str | None  # ISO date of the article, if known
    author: str | None
    claim: Claim


@dataclass
class ArticleRecord:
    article_id: str
    source: str
    url: str
    title: str | None
    author: str | None
    published: str | None
    lang: str
    text: str
    ai_disclosure: str | None = None
    citations: list = field(default_factory=list)   # nlp.types.Citation
