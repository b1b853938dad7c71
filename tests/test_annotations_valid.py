"""Invariants of the hand-checked annotations in tests/annotations/ and of the sample corpus.

Why: these files are the ground truth that quantity, claim, linking and flag tests
compare against. A span that is not in its sentence, a low/high that contradicts
its qualifier, or a sample sentence that main-text extraction does not produce
would make those tests measure the annotations instead of the code.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from nlp.types import QUALIFIERS

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "tests" / "annotations"
ARTICLES = ROOT / "samples" / "articles"
SENTENCE_SETS = ("sentences_de.jsonl", "sentences_en.jsonl", "heldout_de.jsonl", "heldout_en.jsonl")

NAMED_UNITS = {"percent", "percentage_points", "count", "multiple"}
ISO_4217 = re.compile(r"^[A-Z]{3}$")
OTHER_UNIT = re.compile(r"^[a-z][a-z0-9_/]*$")
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
CHANGES = {None, "decrease", "increase"}
VERDICTS = {"consistent", "contradictory", "changed_over_time"}
QUANTITY_FIELDS = {"span", "value", "low", "high", "qualifier", "unit", "per", "attributed_to",
                   "hedged", "time", "measure_key", "conversion_of_span", "change"}
APPROX_TOLERANCE = 0.05


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                pytest.fail(f"{path.name}:{number} is not valid JSON: {err}")
    return rows


@pytest.fixture(scope="module")
def sample_rows() -> list[dict]:
    return read_jsonl(ANNOTATIONS / "samples.jsonl")


@pytest.fixture(scope="module")
def sentence_sets() -> dict[str, list[dict]]:
    return {name: read_jsonl(ANNOTATIONS / name) for name in SENTENCE_SETS}


@pytest.fixture(scope="module")
def facts() -> dict:
    return json.loads((ANNOTATIONS / "facts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extracted() -> dict[str, str]:
    """Main text of every sample article as trafilatura extracts it (precision mode)."""
    trafilatura = pytest.importorskip("trafilatura", reason="trafilatura is needed to extract the sample articles")
    return {path.name: trafilatura.extract(path.read_text(encoding="utf-8"), favor_precision=True) or ""
            for path in sorted(ARTICLES.glob("*.html"))}


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def quantity_problems(q: dict, sentence: str, spans_in_sentence: list[str]) -> list[str]:
    """Everything wrong with one annotated quantity (empty list when it is valid)."""
    problems = []
    missing = QUANTITY_FIELDS - q.keys()
    if missing:
        return [f"missing fields {sorted(missing)}"]
    span = q["span"]
    if sentence.count(span) != 1:
        problems.append(f"span {span!r} occurs {sentence.count(span)} times in the sentence (must be exactly once)")
    qualifier, value, low, high = q["qualifier"], q["value"], q["low"], q["high"]
    if qualifier not in QUALIFIERS:
        problems.append(f"qualifier {qualifier!r} not in {QUALIFIERS}")
    if not isinstance(value, (int, float)):
        problems.append(f"value {value!r} is not a number")
        return problems
    expected = {
        "exact": (value, value),
        "approx": (value * (1 - APPROX_TOLERANCE), value * (1 + APPROX_TOLERANCE)),
        "upper_bound": (None, value),
        "lower_bound": (value, None),
    }.get(qualifier)
    if expected is not None and not (close(low, expected[0]) and close(high, expected[1])):
        problems.append(f"{qualifier}: low/high {low}/{high}, expected {expected[0]}/{expected[1]}")
    if qualifier == "range":
        if low is None or high is None or not low < high or not close(value, (low + high) / 2):
            problems.append(f"range: need low < high and value at the midpoint, got {low}/{value}/{high}")
    unit = q["unit"]
    if not (unit in NAMED_UNITS or ISO_4217.match(unit) or OTHER_UNIT.match(unit)):
        problems.append(f"unit {unit!r} is neither ISO 4217, a named unit, nor a short lowercase unit")
    if q["per"] is not None and not (isinstance(q["per"], str) and q["per"]):
        problems.append(f"per {q['per']!r} must be null or a non-empty string")
    if not isinstance(q["hedged"], bool):
        problems.append("hedged must be a boolean")
    if not isinstance(q["attributed_to"], list):
        problems.append("attributed_to must be a list")
    else:
        problems += [f"attributed_to {name!r} is not written in the sentence"
                     for name in q["attributed_to"] if name not in sentence]
    if q["time"] is not None and q["time"] not in sentence:
        problems.append(f"time {q['time']!r} is not written in the sentence")
    if q["measure_key"] is not None and not SNAKE.match(q["measure_key"]):
        problems.append(f"measure_key {q['measure_key']!r} is not snake_case")
    conversion = q["conversion_of_span"]
    if conversion is not None and (conversion == span or conversion not in spans_in_sentence):
        problems.append(f"conversion_of_span {conversion!r} is not another annotated span of this sentence")
    if q["change"] not in CHANGES:
        problems.append(f"change {q['change']!r} not in {CHANGES}")
    return problems


def test_sample_rows_are_valid_quantities(sample_rows):
    assert len(sample_rows) >= 60
    spans_by_sentence: dict[tuple[str, str], list[str]] = {}
    for row in sample_rows:
        spans_by_sentence.setdefault((row["file"], row["sentence"]), []).append(row["span"])
    problems = []
    for row in sample_rows:
        assert (ARTICLES / row["file"]).is_file(), f"{row['file']} is not a sample article"
        assert row["lang"] in ("de", "en")
        for problem in quantity_problems(row, row["sentence"], spans_by_sentence[(row["file"], row["sentence"])]):
            problems.append(f"{row['file']} {row['span']!r}: {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SENTENCE_SETS)
def test_sentence_sets_are_valid(sentence_sets, name):
    rows = sentence_sets[name]
    lang = name.removesuffix(".jsonl").rsplit("_", 1)[-1]
    assert len(rows) >= 75
    assert sum(1 for row in rows if not row["quantities"]) >= 10, "too few sentences without quantities"
    problems = []
    for row in rows:
        assert row["file"] is None and row["lang"] == lang
        spans = [q["span"] for q in row["quantities"]]
        for q in row["quantities"]:
            problems += [f"{row['sentence'][:60]!r} {q['span']!r}: {p}"
                         for p in quantity_problems(q, row["sentence"], spans)]
    sentences = [row["sentence"] for row in rows]
    assert len(sentences) == len(set(sentences)), "a sentence is annotated twice"
    assert not problems, "\n".join(problems)


def test_held_out_sentences_are_not_in_the_development_sets(sentence_sets):
    """The held-out sets measure quality on text the rules were not written from."""
    development = {row["sentence"] for name in ("sentences_de.jsonl", "sentences_en.jsonl")
                   for row in sentence_sets[name]}
    held_out = {row["sentence"] for name in ("heldout_de.jsonl", "heldout_en.jsonl")
                for row in sentence_sets[name]}
    assert not development & held_out


def test_sentence_sets_cover_the_hard_cases(sentence_sets):
    quantities = [q for rows in sentence_sets.values() for row in rows for q in row["quantities"]]
    units = {q["unit"] for q in quantities}
    qualifiers = {q["qualifier"] for q in quantities}
    assert {"percent", "percentage_points", "multiple", "count", "EUR", "USD", "GBP", "CHF", "JPY"} <= units
    assert set(QUALIFIERS) <= qualifiers
    assert any(q["conversion_of_span"] for q in quantities)
    assert any(q["per"] for q in quantities) and any(q["hedged"] for q in quantities)
    assert any("\u202f" in q["span"] for q in quantities) and any("\u00a0" in q["span"] for q in quantities)
    assert any("Billion" in q["span"] and q["value"] >= 1e12 for q in quantities)


def test_sample_sentences_occur_in_extracted_text(sample_rows, extracted):
    missing = sorted({(row["file"], row["sentence"]) for row in sample_rows
                      if row["sentence"] not in extracted.get(row["file"], "")})
    assert not missing, "sentences not produced by extraction:\n" + "\n".join(f"{f}: {s}" for f, s in missing)


def test_every_sample_article_has_annotations(sample_rows):
    annotated = {row["file"] for row in sample_rows}
    assert annotated == {path.name for path in ARTICLES.glob("*.html")}


def test_fact_groups_refer_to_annotated_claims(sample_rows, facts):
    spans = {(row["file"], row["span"]) for row in sample_rows}
    verdicts = set()
    for group in facts["groups"]:
        assert SNAKE.match(group["key"]) and group["verdict"] in VERDICTS, group["key"]
        assert len(group["members"]) >= 2, f"{group['key']} needs at least two members"
        verdicts.add(group["verdict"])
        for file, span in group["members"]:
            assert (file, span) in spans, f"{group['key']}: ({file}, {span!r}) is not an annotated claim"
            keys = {row["measure_key"] for row in sample_rows if (row["file"], row["span"]) == (file, span)}
            assert group["measure_key"] in keys, f"{group['key']}: {span!r} in {file} has measure_key {keys}"
    assert {"consistent", "contradictory"} <= verdicts <= VERDICTS
    assert any(group["cross_language"] and group["verdict"] == "consistent" for group in facts["groups"])
    for item in facts["not_members"]:
        assert (item["file"], item["span"]) in spans


def test_expected_flags_join_two_sides_of_one_group(facts):
    members = {g["key"]: {tuple(m) for m in g["members"]} for g in facts["groups"]}
    verdicts = {g["key"]: g["verdict"] for g in facts["groups"]}
    assert facts["contradictions"] and facts["changes"]
    for kind in ("contradictions", "changes"):
        for item in facts[kind]:
            a, b = ({tuple(m) for m in side} for side in item["sides"])
            assert a and b and not a & b and a | b <= members[item["group"]], (kind, item["group"])
            if kind == "contradictions":
                assert verdicts[item["group"]] == "contradictory"


def test_hedged_claims_match_the_rows(sample_rows, facts):
    from_rows = {(row["file"], row["span"], row["sentence"]) for row in sample_rows if row["hedged"]}
    listed = {(item["file"], item["span"], item["sentence"]) for item in facts["hedged_claims"]}
    assert listed == from_rows
    for item in facts["hedged_claims"]:
        assert item["cue"] in item["sentence"]


def published(file: str) -> datetime:
    meta = page_meta((ARTICLES / file).read_text(encoding="utf-8"))
    return datetime.fromisoformat(meta["article:published_time"])


def test_copy_is_verbatim_and_later(facts, extracted):
    assert facts["copies"]
    for copying, original, first_words in facts["copies"]:
        paragraph = next(line for line in extracted[original].splitlines() if line.startswith(first_words))
        assert paragraph in extracted[copying].splitlines(), f"{copying} does not repeat the paragraph of {original}"
        assert published(copying) > published(original)


def test_ai_disclosure_is_in_the_text(facts, extracted):
    disclosure = facts["ai_disclosure"]
    assert disclosure["sentence"] in extracted[disclosure["file"]]
    others = [name for name, text in extracted.items() if name != disclosure["file"] and "künstlichen Intelligenz erstellt" in text]
    assert not others


def test_hedged_sentences_without_quantity_are_in_the_text(facts, extracted):
    for item in facts["hedged_sentences_without_quantity"]:
        assert item["sentence"] in extracted[item["file"]] and item["cue"] in item["sentence"]


class _MetaCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.meta["lang"] = attrs.get("lang", "")
        elif tag == "meta" and attrs.get("content"):
            self.meta[attrs.get("name") or attrs.get("property") or ""] = attrs["content"]
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.meta["canonical"] = attrs.get("href", "")


def page_meta(html: str) -> dict[str, str]:
    collector = _MetaCollector()
    collector.feed(html)
    return collector.meta


def test_sample_pages_carry_metadata_and_feed_lists_them(facts):
    feed = ElementTree.parse(ROOT / "samples" / "feed.xml").getroot()
    feed_links = {item.findtext("link") for item in feed.iter("item")}
    languages = []
    for path in sorted(ARTICLES.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert html.lstrip().lower().startswith("<!doctype html>"), path.name
        meta = page_meta(html)
        for key in ("lang", "author", "article:published_time", "canonical", "og:site_name"):
            assert meta.get(key), f"{path.name} lacks {key}"
        assert meta["canonical"] in feed_links, f"{path.name} is not in samples/feed.xml"
        assert meta["canonical"] == facts["articles"][path.name]["url"]
        languages.append(meta["lang"])
    assert languages.count("de") == 9 and languages.count("en") == 3
    assert len(feed_links) == len(languages)


def test_no_seed_sentence_is_copied(shared_dir, extracted, sentence_sets):
    """The seed articles' facts may be reused, their sentences never: no run of ten
    words of a seed may appear in the samples or in the annotated sentences."""
    seeds = sorted((shared_dir / "seeds").glob("*"))
    if not seeds:
        pytest.skip(f"no seed articles in {shared_dir / 'seeds'}")

    def shingles(text: str, size: int = 10) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}

    seed_shingles = set().union(*(shingles(path.read_text(encoding="utf-8")) for path in seeds))
    ours = dict(extracted)
    ours.update({name: "\n".join(row["sentence"] for row in rows) for name, rows in sentence_sets.items()})
    copied = {name: [" ".join(s) for s in shingles(text) & seed_shingles] for name, text in ours.items()}
    assert not any(copied.values()), copied
