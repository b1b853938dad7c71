"""Fact groups and flags on the sample corpus, end to end, against tests/annotations/facts.json.

The annotation names claims by (file, span); a span may occur more than once
in a file ("$5.6 million" twice in 04), and then every occurrence is meant.
A conversion ("ca. 28.000 Dollar" of "200.000 Yuan") belongs to the group of
the claim it converts without being listed.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import SAMPLES, build_samples_record

FACTS = json.loads((Path(__file__).parent / "annotations" / "facts.json").read_text(encoding="utf-8"))


def claims_by_span(conn: sqlite3.Connection) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cid, url, span in conn.execute(
            "SELECT c.id, a.url, c.span FROM claims c JOIN articles a ON a.id = c.article_id ORDER BY c.id"):
        out[(url.rsplit("/", 1)[-1], span)].append(cid)
    return out


def ids_of(conn: sqlite3.Connection, pairs) -> set[str]:
    spans = claims_by_span(conn)
    out = set()
    for file, span in pairs:
        assert spans.get((file, span)), f"no claim {span!r} in {file}"
        out.update(spans[(file, span)])
    return out


def fact_of(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT claim_id, fact_id FROM fact_members"))


def with_conversions(conn: sqlite3.Connection, ids: set[str]) -> set[str]:
    conv = {cid for cid, of in conn.execute("SELECT id, conversion_of FROM claims WHERE conversion_of IS NOT NULL")
            if of in ids}
    return ids | conv


@pytest.mark.parametrize("group", FACTS["groups"], ids=[g["key"] for g in FACTS["groups"]])
def test_annotated_fact_group_is_exact(samples_record, group):
    conn, _ = samples_record
    want = ids_of(conn, group["members"])
    facts = fact_of(conn)
    fact_ids = {facts[c] for c in want}
    assert len(fact_ids) == 1, f"{group['key']} is split over {len(fact_ids)} facts"
    fact_id = fact_ids.pop()
    got = {c for c, f in facts.items() if f == fact_id}
    assert got == with_conversions(conn, want), group["key"]
    verdict = conn.execute("SELECT verdict FROM facts WHERE id = ?", (fact_id,)).fetchone()[0]
    assert verdict == group["verdict"]


def test_the_same_fact_in_german_and_english_is_one_group(samples_record):
    conn, _ = samples_record
    facts = fact_of(conn)
    lang = dict(conn.execute("SELECT id, lang FROM claims"))
    for group in FACTS["groups"]:
        if group["cross_language"]:
            ids = ids_of(conn, group["members"])
            assert {lang[c] for c in ids} == {"de", "en"} and len({facts[c] for c in ids}) == 1, group["key"]


def test_claims_annotated_as_other_facts_stay_out(samples_record):
    conn, _ = samples_record
    facts = fact_of(conn)
    grouped = {facts[c] for g in FACTS["groups"] for c in ids_of(conn, g["members"])}
    for item in FACTS["not_members"]:
        for cid in ids_of(conn, [(item["file"], item["span"])]):
            assert facts[cid] not in grouped, item


def flag_pairs(conn: sqlite3.Connection, kind: str) -> list[tuple[str, str]]:
    return conn.execute("SELECT claim_a, claim_b FROM flags WHERE kind = ? ORDER BY id", (kind,)).fetchall()


@pytest.mark.parametrize("kind,key", [("contradiction", "contradictions"), ("change_over_time", "changes")])
def test_flags_are_exactly_the_annotated_ones(samples_record, kind, key):
    """Each annotated pair of sides is flagged, and no flag of the kind joins anything else."""
    conn, _ = samples_record
    sides = [tuple(ids_of(conn, side) for side in item["sides"]) for item in FACTS[key]]
    flags = flag_pairs(conn, kind)
    for a, b in flags:
        assert any((a in x and b in y) or (a in y and b in x) for x, y in sides), (kind, a, b)
    for x, y in sides:
        assert any((a in x and b in y) or (a in y and b in x) for a, b in flags), (kind, "missing")


def test_provenance_flags_on_the_samples(samples_record):
    conn, _ = samples_record
    url_of = {aid: url.rsplit("/", 1)[-1] for aid, url in conn.execute("SELECT id, url FROM articles")}
    copies = {(url_of[a], url_of[b]) for a, b in conn.execute(
        "SELECT article_a, article_b FROM flags WHERE kind = 'copy'")}
    assert copies == {(copying, original) for copying, original, _ in FACTS["copies"]}
    ai = {url_of[a] for (a,) in conn.execute("SELECT article_a FROM flags WHERE kind = 'ai_generated'")}
    assert ai == {FACTS["ai_disclosure"]["file"]}
    hedged = {c for (c,) in conn.execute("SELECT claim_a FROM flags WHERE kind = 'hedged'")}
    sentence = dict(conn.execute("SELECT id, sentence FROM claims"))
    want = {c for h in FACTS["hedged_claims"] for c in ids_of(conn, [(h["file"], h["span"])])
            if sentence[c] == h["sentence"]}
    assert len(want) == len(FACTS["hedged_claims"]) and hedged == want


def link_state(conn: sqlite3.Connection) -> tuple[set, set]:
    """Fact groups (as sets of claim ids, with verdicts) and flags (kind, claims, articles, reason)."""
    members = defaultdict(set)
    for fid, cid in conn.execute("SELECT fact_id, claim_id FROM fact_members"):
        members[fid].add(cid)
    verdict = dict(conn.execute("SELECT id, verdict FROM facts"))
    groups = {(frozenset(m), verdict[f]) for f, m in members.items()}
    flags = {(k, frozenset({a, b}) if a or b else None, frozenset({x, y}), r) for k, a, b, x, y, r in conn.execute(
        "SELECT kind, claim_a, claim_b, article_a, article_b, reason FROM flags")}
    return groups, flags


def test_linking_again_changes_nothing(samples_record):
    from graph.link import link_record
    from graph.link_config import LinkConfig

    conn, embedder = samples_record
    before = link_state(conn)
    link_record(conn, LinkConfig(), embedder=embedder)
    assert link_state(conn) == before
    link_record(conn, LinkConfig(), embedder=embedder, full=True)
    assert link_state(conn) == before


def test_adding_one_article_gives_the_record_of_all_at_once(samples_record, tmp_path):
    """Linking 11 articles and then the 12th ends where linking all 12 at once does."""
    from graph.link import link_record
    from graph.link_config import LinkConfig
    from newsgraph import pipeline
    from nlp.analyze import Analyzer

    conn_all, embedder = samples_record
    articles = sorted(SAMPLES.glob("*.html"))
    late = next(p for p in articles if p.name.startswith("06_"))
    conn, _ = build_samples_record(tmp_path / "record.db", [p for p in articles if p != late], embedder)
    groups_before, _ = link_state(conn)
    pipeline.ingest_paths(conn, [late], max_bytes=20_000_000)
    pipeline.analyze_pending(conn, Analyzer())
    link_record(conn, LinkConfig(), embedder=embedder)
    groups_after, flags_after = link_state(conn)
    assert (groups_after, flags_after) == link_state(conn_all)
    new_claims = {c for (c,) in conn.execute(
        "SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id WHERE a.url LIKE ?", (f"%/{late.name}",))}
    # an earlier fact changes only by taking in claims of the new article
    for members, _ in groups_before - groups_after:
        assert any(f > members and f & new_claims for f, _ in groups_after), sorted(members)
