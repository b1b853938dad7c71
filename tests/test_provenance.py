"""Where claims come from: copies with direction, attribution chains, citations, first reporters, flags."""
from __future__ import annotations

import json

import pytest

from graph.copies import ArticleRef, direction, find_copies
from graph.link import link_record
from graph.link_config import LinkConfig
from graph.link_types import CopyLink
from graph.provenance import CitationRef, chain, first_reporter, provenance_graph
from graph.record import open_record
from link_fixtures import C, Ent, add_article, record
from nlp.types import Citation

CONFIG = LinkConfig()

ORIGINAL = (
    "In vielen Provinzen stehen neue Serverhallen leer.\n"
    "Zwischen Anfang 2023 und Ende 2024 kündigten Investoren in China mehr als 500 Rechenzentrumsprojekte an. "
    "Mindestens 150 davon waren bis Ende 2024 in Betrieb, wie aus Zahlen eines Branchenverbands hervorgeht.\n"
    "Ausgelastet sind die wenigsten Anlagen."
)
COPY = (
    "Der Boom hat eine Kehrseite: Überall im Land entstanden Rechenzentren ohne Kunden.\n"
    "Zwischen Anfang 2023 und Ende 2024 kündigten Investoren in China mehr als 500 Rechenzentrumsprojekte an. "
    "Mindestens 150 davon waren bis Ende 2024 in Betrieb, wie aus Zahlen eines Branchenverbands hervorgeht.\n"
    "Viele Investoren stammen aus fachfremden Branchen."
)
UNRELATED = (
    "Der Chiphersteller meldet einen Rekordumsatz im Rechenzentrumsgeschäft.\n"
    "Investoren in China kündigten neue Projekte an, und die Zahlen eines Branchenverbands steigen."
)


def ref(aid, source, published, rank):
    return ArticleRef(aid, source, published, rank)


def test_a_copied_paragraph_is_found_with_its_direction():
    links = find_copies([
        (ref("copy", "techtagblatt.example", "2025-03-12", 2), COPY),
        (ref("orig", "chipcode.example", "2025-03-05", 1), ORIGINAL),
        (ref("other", "chipwelt.example", "2025-03-06", 3), UNRELATED),
    ], CONFIG)
    assert len(links) == 1
    (link,) = links
    assert (link.article_a, link.article_b) == ("copy", "orig")
    assert link.shared_text.startswith("Zwischen Anfang 2023 und Ende 2024 kündigten Investoren in China")
    assert "hervorgeht" in link.shared_text
    assert 0.3 < link.similarity < 1.0


def test_the_same_outlet_repeating_itself_is_not_a_copy():
    links = find_copies([(ref("a", "chipcode.example", "2025-03-05", 1), ORIGINAL),
                         (ref("b", "chipcode.example", "2025-03-12", 2), COPY)], CONFIG)
    assert links == []


def test_without_dates_the_later_ingested_article_is_the_copier():
    a, b = ref("a", "x.example", None, 5), ref("b", "y.example", None, 2)
    assert direction(a, b) == (a, b)
    c = ref("c", "z.example", "2025-01-01", 9)
    assert direction(c, ref("d", "w.example", "2025-02-01", 1))[0].article_id == "d"


def test_attribution_chain_follows_attributions_copies_and_citations():
    jiazi = Ent("Jiazi Guangnian", "MEDIA", "jiazi-guangnian", "Jiazi Guangnian")
    claim = record("c1", "copy", "techtagblatt.example", "2025-03-12", C(
        "Laut Jiazi Guangnian liegen bis zu 80 Prozent brach.", "bis zu 80 Prozent", 80, unit="percent",
        qualifier="upper_bound", entities=[jiazi], attributed_to=["Jiazi Guangnian"]))
    refs = {"copy": ref("copy", "techtagblatt.example", "2025-03-12", 2),
            "orig": ref("orig", "chipcode.example", "2025-03-05", 1)}
    g = provenance_graph([claim], refs, {"c1": {"jiazi-guangnian": "attributed_to"}},
                         {"jiazi-guangnian": "Jiazi Guangnian"},
                         [CopyLink("copy", "orig", 0.4, "Zwischen ...", 20)],
                         [CitationRef("orig", "source_line", "36Kr", "e:36kr"),
                          CitationRef("orig", "link", "https://elsewhere.example/x")])
    steps = chain(g, "c1")
    rels = [(s["rel"], s.get("source") or s.get("name")) for s in steps]
    assert rels[0] == ("published_by", "techtagblatt.example")
    assert ("attributed_to", "Jiazi Guangnian") in rels
    assert ("copies", "chipcode.example") in rels
    assert ("cites", "36Kr") in rels and ("cites", "https://elsewhere.example/x") in rels


def test_first_reporter_is_the_earliest_article_that_did_not_take_it_from_another_member():
    spec = C("Mehr als 500 Projekte.", "Mehr als 500", 500, unit="count", qualifier="lower_bound")
    members = [record("late", "late", "b.example", "2025-03-12", spec),
               record("early_copy", "early_copy", "c.example", "2025-03-01", spec),   # dated earlier, but copies
               record("orig", "orig", "a.example", "2025-03-05", spec),
               record("tie", "tie", "d.example", "2025-03-05", spec)]
    refs = {m.article_id: ref(m.article_id, m.source, m.published, rank)
            for rank, m in enumerate(members, start=1)}
    g = provenance_graph(members, refs, {}, {}, [CopyLink("early_copy", "orig", 0.9, "...", 30)], [])
    ranks = {a: r.rank for a, r in refs.items()}
    assert first_reporter(members, g, ranks).claim_id == "orig"      # ties on the date: ingested first
    g2 = provenance_graph(members, refs, {}, {}, [], [])
    assert first_reporter(members, g2, ranks).claim_id == "early_copy"


@pytest.fixture
def provenance_record(tmp_path):
    conn = open_record(tmp_path / "record.db")
    jiazi = Ent("Jiazi Guangnian", "MEDIA", "jiazi-guangnian", "Jiazi Guangnian")
    china = Ent("China", "LOC", "china", "China")
    orig_claim = C("Zwischen Anfang 2023 und Ende 2024 kündigten Investoren in China mehr als 500 "
                   "Rechenzentrumsprojekte an.", "mehr als 500", 500, unit="count", qualifier="lower_bound",
                   subject="China", measure_key="count_projects", entities=[china])
    a = add_article(conn, "https://chipcode.example/leere-hallen", "Chip & Code", "2025-03-05", ORIGINAL,
                    [orig_claim], citations=[Citation("source_line", "Jiazi Guangnian", "Quelle: Jiazi Guangnian", 0)])
    b = add_article(conn, "https://techtagblatt.example/ki-blase", "Tech-Tagblatt", "2025-03-12", COPY, [orig_claim],
                    links=[("Chip & Code", "https://chipcode.example/leere-hallen")])
    ai_text = ("Laut Jiazi Guangnian sind derzeit angeblich bis zu 80 Prozent der Kapazität in China ungenutzt.\n"
               "Dieser Beitrag wurde automatisch mit künstlicher Intelligenz erstellt.")
    c = add_article(conn, "https://kiblick.example/mieten", "KI-Blick", "2025-03-20", ai_text, [
        C("Laut Jiazi Guangnian sind derzeit angeblich bis zu 80 Prozent der Kapazität in China ungenutzt.",
          "bis zu 80 Prozent", 80, unit="percent", qualifier="upper_bound", subject="China",
          measure_key="idle_capacity", entities=[jiazi, china], attributed_to=["Jiazi Guangnian"], hedged=True)],
        ai_disclosure="Dieser Beitrag wurde automatisch mit künstlicher Intelligenz erstellt.")
    report = link_record(conn, CONFIG)
    yield conn, report, (a, b, c)
    conn.close()


def test_linking_writes_copy_ai_and_hedged_flags(provenance_record):
    conn, report, (a, b, c) = provenance_record
    assert (report.copies, report.ai_generated, report.hedged) == (1, 1, 1)
    copy = conn.execute("SELECT * FROM flags WHERE kind = 'copy'").fetchone()
    assert (copy["article_a"], copy["article_b"]) == (b, a)
    assert "Tech-Tagblatt" in copy["reason"] and "Chip & Code" in copy["reason"]
    assert "Zwischen Anfang 2023" in json.loads(copy["data"])["shared_text"]
    ai = conn.execute("SELECT * FROM flags WHERE kind = 'ai_generated'").fetchone()
    assert ai["article_a"] == c and "automatisch" in ai["reason"]
    hedged = conn.execute("SELECT * FROM flags WHERE kind = 'hedged'").fetchone()
    assert "bis zu 80 Prozent" in hedged["reason"]


def test_attributed_names_become_entities_linked_as_sources(provenance_record):
    conn, _, (_, _, c) = provenance_record
    rows = conn.execute(
        """SELECT e.id, e.name, e.type, ce.role FROM claim_entities ce JOIN entities e ON e.id = ce.entity_id
           JOIN claims cl ON cl.id = ce.claim_id WHERE cl.article_id = ?""", (c,)).fetchall()
    roles = {(r["id"], r["role"]) for r in rows}
    assert ("jiazi-guangnian", "attributed_to") in roles and ("china", "subject") in roles
    assert {r["type"] for r in rows if r["id"] == "jiazi-guangnian"} == {"MEDIA"}


def test_copied_claims_corroborate_but_not_independently_and_the_original_reports_first(provenance_record):
    conn, _, (a, b, _) = provenance_record
    fact = conn.execute("SELECT * FROM facts WHERE measure_key = 'count_projects'").fetchone()
    first = conn.execute("SELECT article_id FROM claims WHERE id = ?", (fact["first_claim_id"],)).fetchone()
    assert first["article_id"] == a
    corr = conn.execute("SELECT * FROM flags WHERE kind = 'corroboration' AND fact_id = ?", (fact["id"],)).fetchone()
    assert json.loads(corr["data"])["independent"] is False and "not independent" in corr["reason"]
    data = json.loads(fact["data"])
    assert data["first_report"]["article_id"] == a
    copier_claim = conn.execute("SELECT id FROM claims WHERE article_id = ?", (b,)).fetchone()["id"]
    steps = data["provenance"][copier_claim]
    assert [s["rel"] for s in steps][:1] == ["published_by"]
    assert {(s["rel"], s["target"]) for s in steps[1:3]} == {("copies", f"a:{a}"), ("cites", f"a:{a}")}
    assert ("cites", "e:jiazi-guangnian") in {(s["rel"], s.get("target")) for s in steps}   # the original's source line
