"""link_record over a real record: what it writes, idempotence, incremental additions, re-analysis."""
from __future__ import annotations

import json

import pytest

from graph.facts import fact_id_for
from graph.link import link_record
from graph.link_config import LinkConfig
from link_fixtures import C, Ent, add_article, conn, embedder  # noqa: F401 (fixtures)

CONFIG = LinkConfig()
R1 = Ent("R1", "PRODUCT", "deepseek-r1", "DeepSeek-R1")
DS = Ent("DeepSeek", "ORG", "deepseek", "DeepSeek")
H100 = Ent("H100", "PRODUCT", "nvidia-h100", "H100")
ZY = Ent("Zhineng Yongxian", "MEDIA", "zhineng-yongxian", "Zhineng Yongxian")

TABLES = {
    "entities": "SELECT id, name, type, aliases FROM entities",
    "claim_entities": "SELECT claim_id, entity_id, role FROM claim_entities",
    "mentions": "SELECT article_id, start, end, entity_id FROM mentions",
    "facts": "SELECT id, subject, measure_key, unit, verdict, first_claim_id, data FROM facts",
    "fact_members": "SELECT fact_id, claim_id FROM fact_members",
    "flags": "SELECT id, kind, severity, reason, claim_a, claim_b, article_a, article_b, fact_id, data FROM flags",
    "link_state": "SELECT article_id, content_hash FROM link_state",
}


def dump(conn) -> dict[str, list[tuple]]:
    return {name: sorted(tuple(r) for r in conn.execute(sql)) for name, sql in TABLES.items()}


def nvidia_text(lang: str) -> tuple[str, C]:
    if lang == "de":
        s = "Die Aktie von Nvidia brach an einem Tag um 17 Prozent ein."
        return s, C(s, "17 Prozent", 17, unit="percent", subject="Nvidia", measure_key="share_price_change",
                    change="decrease", entities=[Ent("Nvidia", "ORG")])
    s = "NVIDIA's stock fell 17% in a single session."
    return s, C(s, "17%", 17, unit="percent", subject="NVIDIA", measure_key="share_price_change",
                change="decrease", entities=[Ent("NVIDIA", "ORG")])


def article_1(conn):
    r1 = "Die Entwicklung von R1 kostete angeblich nur 5,6 Mio. US-Dollar."
    nv, nv_claim = nvidia_text("de")
    return add_article(conn, "https://boerse.example/deepseek", "Börsenkurier", "2025-01-27", f"{r1}\n{nv}", [
        C(r1, "5,6 Mio. US-Dollar", 5.6e6, subject="R1", measure_key="training_cost", entities=[R1], hedged=True),
        nv_claim])


def article_2(conn):
    r1 = "DeepSeek says its R1 model cost less than $6 million to train."
    nv, nv_claim = nvidia_text("en")
    return add_article(conn, "https://asiamarkets.example/selloff", "Asia Markets Wire", "2025-01-28",
                       f"{r1} {nv}", [
        C(r1, "less than $6 million", 6e6, qualifier="upper_bound", subject="R1", measure_key="training_cost",
          entities=[DS, R1], attributed_to=["DeepSeek"]), nv_claim], lang="en")


def article_3(conn, figure: str = "60 Millionen Dollar", value: float = 6e7):
    s = f"Kestrel Research schätzt die Kosten für das Training von R1 auf {figure}."
    return add_article(conn, "https://wirtschaftsecho.example/r1", "Wirtschaftsecho", "2025-02-10", s, [
        C(s, figure, value, subject="R1", measure_key="training_cost",
          entities=[Ent("Kestrel Research", "ORG"), R1], attributed_to=["Kestrel Research"])])


def article_4(conn):
    rent = ("Wie Zhineng Yongxian berichtet, kostet ein H100-Server jetzt 75.000 Yuan pro Monat, "
            "früher waren es etwa 180.000 Yuan.")
    chip = "Für einen einzelnen H100 zahlten Käufer damals bis zu 200.000 Yuan (ca. 28.000 Dollar)."
    spec = dict(unit="CNY", per="month", subject="H100", measure_key="rental_price", entities=[ZY, H100],
                attributed_to=["Zhineng Yongxian"])
    return add_article(conn, "https://chipcode.example/leere-hallen", "Chip & Code", "2025-03-05", f"{rent}\n{chip}", [
        C(rent, "75.000 Yuan", 75000, time="jetzt", **spec),
        C(rent, "etwa 180.000 Yuan", 180000, qualifier="approx", time="früher", **spec),
        C(chip, "bis zu 200.000 Yuan", 2e5, unit="CNY", qualifier="upper_bound", subject="H100", measure_key="price",
          entities=[H100], time="damals"),
        C(chip, "ca. 28.000 Dollar", 28000, unit="USD", qualifier="approx", subject="H100", measure_key="price",
          entities=[H100], time="damals", conversion_of=2),
    ])


def article_5(conn):
    rent = "An eight-GPU H100 server now rents for 75,000 yuan a month, according to Zhineng Yongxian."
    bytedance = "ByteDance reportedly plans to spend about $20 billion on GPUs and data centers."
    return add_article(conn, "https://ledger.example/idle", "Compute Ledger", "2025-03-25", f"{rent} {bytedance}", [
        C(rent, "75,000 yuan", 75000, unit="CNY", per="month", subject="H100", measure_key="rental_price",
          entities=[H100, ZY], attributed_to=["Zhineng Yongxian"], time="now"),
        C(bytedance, "about $20 billion", 2e10, qualifier="approx", subject="ByteDance", measure_key="investment",
          entities=[Ent("ByteDance", "ORG", "bytedance", "ByteDance")], hedged=True),
    ], lang="en")


@pytest.fixture
def four_articles(conn):
    ids = [article_1(conn), article_2(conn), article_3(conn), article_4(conn)]
    return conn, ids


def claim_ids(conn, article_id) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM claims WHERE article_id = ? ORDER BY idx", (article_id,))]


def fact_of(conn, claim_id) -> str:
    return conn.execute("SELECT fact_id FROM fact_members WHERE claim_id = ?", (claim_id,)).fetchone()[0]


def test_link_writes_entities_facts_and_flags(four_articles, embedder):
    conn, (a1, a2, a3, a4) = four_articles
    report = link_record(conn, CONFIG, embedder=embedder)
    assert report.articles_linked == 4 and report.claims_linked == report.claims_total == 9

    # entities: spelling variants and kb ids resolved; every mention linked
    assert conn.execute("SELECT COUNT(*) FROM mentions WHERE entity_id IS NULL").fetchone()[0] == 0
    nvidia = {r[0] for r in conn.execute("SELECT entity_id FROM mentions WHERE text IN ('Nvidia', 'NVIDIA')")}
    assert nvidia == {"nvidia"}
    assert conn.execute("SELECT type FROM entities WHERE id = 'org:kestrel-research'").fetchone()[0] == "ORG"

    # one training-cost fact across German and English, seeded by the first article's claim
    r1_claims = [claim_ids(conn, a1)[0], claim_ids(conn, a2)[0], claim_ids(conn, a3)[0]]
    fact = {fact_of(conn, c) for c in r1_claims}
    assert fact == {fact_id_for(r1_claims[0])}
    row = conn.execute("SELECT * FROM facts WHERE id = ?", (fact.pop(),)).fetchone()
    assert (row["verdict"], row["measure_key"], row["first_claim_id"]) == ("contradictory", "training_cost",
                                                                          r1_claims[0])
    data = json.loads(row["data"])
    assert data["size"] == 3 and data["languages"] == ["de", "en"] and data["flags"]["contradiction"] == 1
    contra = conn.execute("SELECT * FROM flags WHERE kind = 'contradiction' AND fact_id = ?", (row["id"],)).fetchone()
    assert contra["severity"] == "high" and "60 M USD" in contra["reason"]
    assert {contra["claim_a"], contra["claim_b"]} == {r1_claims[0], r1_claims[2]}

    # the share drop: one consistent fact in two languages
    nv = {fact_of(conn, claim_ids(conn, a1)[1]), fact_of(conn, claim_ids(conn, a2)[1])}
    assert len(nv) == 1
    assert conn.execute("SELECT verdict FROM facts WHERE id = ?", (nv.pop(),)).fetchone()[0] == "consistent"

    # rents: now vs earlier is a change; the conversion sits in the fact of the amount it converts
    rent_now, rent_before, chip, chip_usd = claim_ids(conn, a4)
    assert fact_of(conn, rent_now) == fact_of(conn, rent_before)
    assert conn.execute("SELECT verdict FROM facts WHERE id = ?", (fact_of(conn, rent_now),)).fetchone()[0] \
        == "changed_over_time"
    assert fact_of(conn, chip) == fact_of(conn, chip_usd)

    assert (report.contradictions, report.changes, report.hedged) == (1, 1, 1)
    assert report.corroborations >= 2 and report.facts == 4
    assert any(e.startswith("contradiction (high)") for e in report.examples)


def test_linking_twice_changes_nothing(four_articles, embedder):
    conn, _ = four_articles
    link_record(conn, CONFIG, embedder=embedder)
    before = dump(conn)
    embedder.computed = 0
    again = link_record(conn, CONFIG, embedder=embedder)
    assert dump(conn) == before
    assert (again.articles_linked, again.claims_linked, again.facts_touched, embedder.computed) == (0, 0, 0, 0)


def test_a_full_relink_of_unchanged_data_gives_the_same_record(four_articles, embedder):
    conn, _ = four_articles
    link_record(conn, CONFIG, embedder=embedder)
    before = dump(conn)
    report = link_record(conn, CONFIG, embedder=embedder, full=True)
    assert report.articles_linked == 4 and report.entities_new == 0
    assert dump(conn) == before


def test_other_rules_relink_every_article_and_the_old_rules_restore_the_record(four_articles, embedder):
    """An upgrade or an edited threshold never leaves facts of the old rules beside new ones."""
    from dataclasses import replace

    conn, _ = four_articles
    link_record(conn, CONFIG, embedder=embedder)
    before = dump(conn)
    contradictions = "SELECT COUNT(*) FROM flags WHERE kind = 'contradiction'"
    assert conn.execute(contradictions).fetchone()[0] >= 1
    strict = replace(CONFIG, disagreeing_score=1.5)        # disagreeing values never join
    report = link_record(conn, strict, embedder=embedder)
    assert report.articles_linked == 4
    assert conn.execute(contradictions).fetchone()[0] == 0
    assert link_record(conn, strict, embedder=embedder).articles_linked == 0
    assert link_record(conn, CONFIG, embedder=embedder).articles_linked == 4
    assert dump(conn) == before


def test_the_rules_signature_follows_thresholds_data_files_and_model_not_speed_settings(tmp_path):
    from dataclasses import replace

    from graph.link_config import rules_signature

    base = rules_signature(CONFIG)
    assert rules_signature(replace(CONFIG, batch_size=CONFIG.batch_size * 2, commit_every=7,
                                   embedding_precision="bfloat16")) == base
    assert rules_signature(replace(CONFIG, same_value_ratio=1.2)) != base
    aliases = tmp_path / "aliases.toml"
    aliases.write_bytes(CONFIG.aliases_path.read_bytes() + b"\n# edited\n")
    assert rules_signature(replace(CONFIG, aliases_path=aliases)) != base
    assert rules_signature(replace(CONFIG, embedding_model=str(tmp_path / "other-model"))) != base


def test_adding_an_article_adds_only_its_claims_and_the_links_they_create(four_articles, embedder):
    conn, (_, _, _, a4) = four_articles
    link_record(conn, CONFIG, embedder=embedder)
    before = dump(conn)
    rent_fact = fact_of(conn, claim_ids(conn, a4)[0])

    a5 = article_5(conn)
    report = link_record(conn, CONFIG, embedder=embedder)
    after = dump(conn)
    new_claims = set(claim_ids(conn, a5))
    assert report.articles_linked == 1 and report.claims_linked == 2

    old_members, new_members = set(before["fact_members"]), set(after["fact_members"])
    assert old_members <= new_members
    assert {c for _, c in new_members - old_members} == new_claims
    assert (rent_fact, claim_ids(conn, a5)[0]) in new_members            # joins the existing fact, same id
    old_facts = {r[0] for r in before["facts"]}
    assert old_facts <= {r[0] for r in after["facts"]}
    assert len(after["facts"]) == len(before["facts"]) + 1                # ByteDance is new

    touched = {rent_fact, fact_of(conn, claim_ids(conn, a5)[1])}
    untouched = lambda rows, col: [r for r in rows if r[col] not in touched]   # noqa: E731
    assert untouched(after["facts"], 0) == untouched(before["facts"], 0)
    assert [f for f in untouched(after["flags"], 8) if f[6] != a5] == untouched(before["flags"], 8)
    assert [r for r in after["claim_entities"] if r[0] not in new_claims] == before["claim_entities"]


def test_a_reanalyzed_article_is_relinked_and_its_old_claims_leave_their_facts(four_articles, embedder):
    conn, (a1, _, a3, _) = four_articles
    link_record(conn, CONFIG, embedder=embedder)
    r1_fact = fact_of(conn, claim_ids(conn, a1)[0])
    old_claim = claim_ids(conn, a3)[0]

    article_3(conn, "6 Millionen Dollar", 6e6)        # the outlet corrected its figure
    report = link_record(conn, CONFIG, embedder=embedder)
    assert report.articles_linked == 1
    assert conn.execute("SELECT COUNT(*) FROM fact_members WHERE claim_id = ?", (old_claim,)).fetchone()[0] == 0
    assert fact_of(conn, claim_ids(conn, a3)[0]) == r1_fact
    row = conn.execute("SELECT verdict, data FROM facts WHERE id = ?", (r1_fact,)).fetchone()
    assert row["verdict"] == "consistent" and json.loads(row["data"])["size"] == 3
    assert conn.execute("SELECT COUNT(*) FROM flags WHERE kind = 'contradiction'").fetchone()[0] == 0
