"""Plain dataclasses that leave the NLP stage.

They are the contract between `nlp/` and everything downstream (the record
store, linking, the CLI's JSON output). Keep them free of spaCy objects so they
can be serialized with `dataclasses.asdict` and compared in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field


# Qualifiers a quantity can carry; `low`/`high` of a Quantity follow from it.
QUALIFIERS = ("exact", "approx", "upper_bound", "lower_bound", "range")


@dataclass
class Quantity:
    """One quantity mention found in a piece of text.

    `start`/`end` are character offsets into the text that was searched.
    `value` is the normalized number (scale applied: "5,6 Mio." -> 5_600_000.0).
    `low`/`high` is the interval the statement allows (None where open):
    "bis zu 80 %" -> low None, high 80; "über 500" -> low 500, high None;
    "rund 20" -> approx, low/high a tolerance band around 20; exact -> low == high == value.
    `unit`: ISO 4217 code for money, "percent", "percentage_points", "count",
    "multiple", or another short lowercase unit ("gw", "km", "tonnes", ...).
    `per`: the rate denominator ("month", "year", "hour", ...), else None.
    `change`: "decrease" / "increase" when the quantity is a change ("verloren 17 %",
    "sank um 27 %", "stieg um"), else None.
    `conversion_of`: index (in the same returned list) of the quantity this one
    converts, for "200.000 Yuan (ca. 28.000 Dollar)"; else None.
    """

    start: int
    end: int
    span: str
    value: float
    low: float | None
    high: float | None
    qualifier: str = "exact"
    unit: str = "count"
    per: str | None = None
    change: str | None = None
    conversion_of: int | None = None


@dataclass
class EntityMention:
    """A named entity in the text. `label` is one of ORG, PER, LOC, PRODUCT, MEDIA, MISC.

    `canonical` is the gazetteer's canonical name when the mention matched an
    alias (e.g. "NVIDIA" -> "Nvidia", "Vereinigte Staaten" -> "USA"), else None.
    `kb_id` is the gazetteer id when known (stable across languages), else None.
    """

    text: str
    label: str
    start: int
    end: int
    canonical: str | None = None
    kb_id: str | None = None


@dataclass
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class Claim:
    """A quantity in its sentence, with what it is about and who says it.

    Offsets (`start`, `end`) are into the whole extracted document text;
    `sentence_start` is the offset of `text` (the sentence) in the document.
    `conversion_of` is the index (in the document's claim list) of the claim
    this one converts.
    """

    text: str
    start: int
    end: int
    span: str
    value: float
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    per: str | None
    subject: str | None
    measure: str | None
    measure_key: str | None
    entities: list[EntityMention]
    time: str | None
    attributed_to: list[str]
    hedged: bool
    lang: str
    sentence_index: int
    sentence_start: int
    change: str | None = None
    conversion_of: int | None = None
    # Normalized key of `time` ("2023..2024", "..2029", "2024-end", "past", "now"); None if no time.
    time_key: str | None = None


@dataclass
class Citation:
    """A reference from the article to another source.

    kind: "source_line" ("Quelle: ..." lines), "link" (an outlet's URL named in
    the text), or "attribution" (an outlet or person the text reports from).
    """

    kind: str
    target: str
    text: str
    start: int


@dataclass
class Analysis:
    """Everything the NLP stage learns from one document's text."""

    lang: str
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[EntityMention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    ai_disclosure: str | None = None  # the sentence that discloses AI/automatic generation
