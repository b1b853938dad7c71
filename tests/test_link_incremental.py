"""Incremental linking writes only what changes: rows of facts a new article does not join are left
alone, and a fact it joins keeps the rows that stay the same (graph.link)."""
from __future__ import annotations

import gc

import pytest

from graph.link import _member_changes, _Touched, link_record
from graph.link_config import LinkConfig
from link_fixtures import C, Ent, add_article, conn, embedder  # noqa: F401 (fixtures)

CONFIG = LinkConfig()
H100 = Ent("H100", "PRODUCT", "nvidia-h100", "H100")
ZY = Ent("Zhineng Yongxian", "MEDIA", "zhineng-yongxian", "Zhineng Yongxian")
R1 = Ent("R1", "PRODUCT", "deepseek-r1", "DeepSeek-R1")
# table -> SQL of a row's key, for the row `new` or `old` of a trigger
KEYS = {"facts": "{row}.id", "flags": "{row}.id", "fact_members": "{row}.fact_id || ' ' || {row}.claim_id"}


def rent_then_and_now(conn) -> str:
    s = "Laut Zhineng Yongxian kostet ein H100-Server jetzt 75.000 Yuan pro Monat, früher waren es 180.000 Yuan."
    spec = dict(unit="CNY", per="month", subject="H100", measure_key="rental_price", entities=[ZY, H100],
                attributed_to=["Zhineng Yongxian"])
    return add_article(conn, "https://chipcode.example/hallen", "Chip & Code", "2025-03-05", s, [
        C(s, "75.000 Yuan", 75000, time="jetzt", **spec), C(s, "180.000 Yuan", 180000, time="früher", **spec)])


def training_cost(conn, url: str, source: str, published: str, s: str) -> str:
    return add_article(conn, url, source, published, s, [
        C(s, "5,6 Mio. US-Dollar", 5.6e6, subject="R1", measure_key="training_cost", entities=[R1])])


def rent_now(conn) -> str:
    s = "An eight-GPU H100 server now rents for 75,000 yuan a month, according to Zhineng Yongxian."
    return add_article(conn, "https://ledger.example/idle", "Compute Ledger", "2025-03-25", s, [
        C(s, "75,000 yuan", 75000, unit="CNY", per="month", subject="H100", measure_key="rental_price",
          entities=[H100, ZY], attributed_to=["Zhineng Yongxian"], time="now")], lang="en")


def rows(conn) -> dict[str, dict[str, tuple]]:
    """table -> key -> row, for the tables whose writes are logged."""
    out = {}
    for table, key in KEYS.items():
        out[table] = {r[0]: tuple(r) for r in conn.execute(f"SELECT {key.format(row=table)}, * FROM {table}")}
    return out


def log_writes(conn) -> None:
    """Temporary triggers that note every row inserted, updated or deleted in `KEYS`' tables."""
    conn.execute("CREATE TEMP TABLE writes (tbl TEXT, op TEXT, key TEXT)")
    for table, key in KEYS.items():
        for op, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
            conn.execute(f"""CREATE TEMP TRIGGER log_{table}_{op} AFTER {op} ON main.{table}
                             BEGIN INSERT INTO writes VALUES ('{table}', '{op}', {key.format(row=row)}); END""")


def test_a_claim_joining_a_fact_writes_only_the_rows_that_change(conn, embedder):
    rent_then_and_now(conn)
    training_cost(conn, "https://boerse.example/r1", "Börsenkurier", "2025-01-27",
                  "Das Training von R1 kostete angeblich 5,6 Mio. US-Dollar.")
    training_cost(conn, "https://wirtschaftsecho.example/r1", "Wirtschaftsecho", "2025-01-29",
                  "R1 soll im Training nur 5,6 Mio. US-Dollar gekostet haben.")
    link_record(conn, CONFIG, embedder=embedder)
    before = rows(conn)
    change = conn.execute("SELECT id, fact_id FROM flags WHERE kind = 'change_over_time'").fetchone()
    cost_fact = conn.execute("SELECT fact_id FROM flags WHERE kind = 'corroboration'").fetchone()[0]

    log_writes(conn)
    rent_now(conn)
    report = link_record(conn, CONFIG, embedder=embedder)
    after = rows(conn)

    assert report.facts_touched == 1
    written: dict[str, set[str]] = {table: set() for table in KEYS}
    for table, _, key in conn.execute("SELECT * FROM writes"):
        written[table].add(key)
    for table in KEYS:
        changed = {k for k in before[table].keys() | after[table].keys()
                   if before[table].get(k) != after[table].get(k)}
        assert written[table] == changed, table
    assert change["fact_id"] in written["facts"]         # the rent fact grew ...
    assert change["id"] in after["flags"] and change["id"] not in written["flags"]   # ... its change stayed
    assert not any(cost_fact in key for keys in written.values() for key in keys)    # the other fact: untouched


def test_member_changes_keep_the_rows_that_stay():
    old = [("c1", "f1"), ("c2", "f1"), ("c3", "f3"), ("gone", "f1"), ("c4", "f4")]
    groups = [_Touched("f1", ["c1", "c2", "c3", "new"], [])]
    stale, fresh = _member_changes(groups, old)
    # c3 moves from f3 to f1, "gone" (say, of an article no longer analyzed) leaves f1; c4 stays out of it
    assert stale == [("f1", "gone"), ("f3", "c3")]
    assert fresh == [("f1", "c3"), ("f1", "new")]


def test_linking_leaves_the_cycle_collector_as_it_found_it(conn, embedder):
    rent_then_and_now(conn)
    gc.disable()
    try:
        link_record(conn, CONFIG, embedder=embedder)
        assert not gc.isenabled()
    finally:
        gc.enable()
    rent_now(conn)
    link_record(conn, CONFIG, embedder=embedder)
    assert gc.isenabled()


def test_an_unchanged_relink_reads_no_claim_and_writes_no_row(conn, embedder):
    rent_then_and_now(conn)
    rent_now(conn)
    link_record(conn, CONFIG, embedder=embedder)
    log_writes(conn)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        report = link_record(conn, CONFIG, embedder=embedder)
    finally:
        conn.set_trace_callback(None)

    assert report.articles_linked == 0 and report.facts_touched == 0
    assert conn.execute("SELECT COUNT(*) FROM writes").fetchone()[0] == 0
    reads = [s for s in statements
             if s.lstrip().startswith("SELECT") and ("FROM claims c" in s or "FROM claim_entities" in s)]
    assert reads == []          # no claim's features or roles were loaded: nothing could change
