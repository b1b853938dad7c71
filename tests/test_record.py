"""The SQLite record: migrations, idempotent writes, replacement of an article's analysis."""
from __future__ import annotations

import sqlite3

import pytest

from graph import store
from graph.record import MIGRATIONS, RecordError, open_record, schema_version
from ingest.types import Document, content_hash
from nlp.types import Analysis, Citation, Claim, EntityMention


def make_doc(url: str, text: str, source: str = "Beispiel-Zeitung") -> Document:
    return Document(
        url=url, canonical_url=url, source=source, title="Titel", author="A. Autorin",
        published="2025-02-01", language="de", text=text, content_hash=content_hash(text),
        fetched_at="2025-02-01T10:00:00+00:00", links=[("Bericht", "https://example.org/x")],
    )


def make_claim(text: str, start: int, end: int, value: float, unit: str = "USD") -> Claim:
    return Claim(
        text=text, start=start, end=end, span=text[start:end], value=value, low=value, high=value,
        qualifier="exact", unit=unit, per=None, subject="DeepSeek", measure="Trainingskosten",
        measure_key="training_cost",
        entities=[EntityMention(text="DeepSeek", label="ORG", start=0, end=8, canonical="DeepSeek",
                                kb_id="deepseek")],
        time=None, attributed_to=["36Kr"], hedged=True, lang="de", sentence_index=0,
        sentence_start=0,
    )


def test_new_record_has_latest_schema(tmp_path):
    conn = open_record(tmp_path / "r.db")
    assert schema_version(conn) == MIGRATIONS[-1][0]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # reopening applies nothing twice
    conn.close()
    conn = open_record(tmp_path / "r.db")
    assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_record_of_an_older_version_is_migrated_and_its_articles_analyzed_again(tmp_path):
    """A version-1 record (no analyzed_rules) keeps its rows; its analyses count as made by
    unknown rules, so the next analysis run takes them again."""
    from graph.record import _statements
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    for statement in _statements(MIGRATIONS[0][1]):
        old.execute(statement)
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    old.execute("INSERT INTO schema_version(version) VALUES (1)")
    old.close()
    conn = open_record(path)
    assert schema_version(conn) == MIGRATIONS[-1][0]
    doc = make_doc("https://example.org/a", "DeepSeek trainierte V3 angeblich für 5,6 Mio. US-Dollar.")
    aid, _ = store.save_document(conn, doc)
    store.save_analysis(conn, aid, doc.content_hash, Analysis(lang="de"))     # rules unknown
    assert store.pending_articles(conn) == []
    assert [r["id"] for r in store.pending_articles(conn, "rules-a")] == [aid]
    store.save_analysis(conn, aid, doc.content_hash, Analysis(lang="de"), "rules-a")
    assert store.pending_articles(conn, "rules-a") == []
    assert [(r["id"], r["stale_rules"]) for r in store.pending_articles(conn, "rules-b")] == [(aid, 1)]


def test_not_a_database_gives_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(RecordError, match="--db"):
        open_record(bad)


def test_newer_schema_is_refused(tmp_path):
    conn = open_record(tmp_path / "r.db")
    conn.execute("INSERT INTO schema_version(version) VALUES (999)")
    conn.close()
    with pytest.raises(RecordError, match="upgrade newsgraph"):
        open_record(tmp_path / "r.db")


def test_save_document_is_idempotent(tmp_path):
    conn = open_record(tmp_path / "r.db")
    doc = make_doc("https://zeitung.example/a", "DeepSeek kostete 5,6 Mio. US-Dollar.")
    aid, needs = store.save_document(conn, doc)
    assert needs
    before = store.counts(conn)
    aid2, needs2 = store.save_document(conn, doc)
    assert aid2 == aid
    assert needs2  # stored but not analyzed yet: still pending
    assert store.counts(conn) == before
    store.save_analysis(conn, aid, doc.content_hash, Analysis(lang="de"))
    _, needs3 = store.save_document(conn, doc)
    assert not needs3


def test_analysis_replaced_as_a_whole(tmp_path):
    conn = open_record(tmp_path / "r.db")
    text = "DeepSeek kostete angeblich 5,6 Mio. US-Dollar."
    doc = make_doc("https://zeitung.example/a", text)
    aid, _ = store.save_document(conn, doc)
    claim = make_claim(text, 27, 45, 5.6e6)
    analysis = Analysis(lang="de", claims=[claim], mentions=claim.entities,
                        citations=[Citation(kind="attribution", target="36Kr", text="36Kr", start=0)])
    ids = store.save_analysis(conn, aid, doc.content_hash, analysis)
    ids_again = store.save_analysis(conn, aid, doc.content_hash, analysis)
    assert ids == ids_again
    assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 1
    records = store.load_claim_records(conn)
    assert [r.claim.span for r in records] == ["5,6 Mio. US-Dollar"]
    assert records[0].claim.attributed_to == ["36Kr"]
    assert records[0].claim.entities[0].kb_id == "deepseek"
    assert records[0].source == "Beispiel-Zeitung"

    # the article changes: its old claims go, the new ones come, in one step
    text2 = "DeepSeek kostete 60 Mio. Dollar."
    doc2 = make_doc("https://zeitung.example/a", text2)
    aid2, needs = store.save_document(conn, doc2)
    assert aid2 == aid and needs
    assert [r["id"] for r in store.pending_articles(conn)] == [aid]
    store.save_analysis(conn, aid, doc2.content_hash, Analysis(lang="de", claims=[make_claim(text2, 17, 31, 6e7)]))
    assert [r.claim.value for r in store.load_claim_records(conn)] == [6e7]
    assert store.pending_articles(conn) == []


def test_failures_are_counted_not_duplicated(tmp_path):
    conn = open_record(tmp_path / "r.db")
    store.record_failure(conn, "leer.html", "empty", "the file is empty")
    store.record_failure(conn, "leer.html", "empty", "the file is empty")
    rows = conn.execute("SELECT input, attempts FROM input_failures").fetchall()
    assert [tuple(r) for r in rows] == [("leer.html", 2)]


def test_interrupted_transaction_leaves_previous_state(tmp_path):
    conn = open_record(tmp_path / "r.db")
    text = "DeepSeek kostete 5,6 Mio. US-Dollar."
    doc = make_doc("https://zeitung.example/a", text)
    aid, _ = store.save_document(conn, doc)
    store.save_analysis(conn, aid, doc.content_hash, Analysis(lang="de", claims=[make_claim(text, 17, 35, 5.6e6)]))
    broken = make_claim(text, 17, 35, 5.6e6)
    broken.entities = [object()]  # not serializable: the write fails midway
    with pytest.raises(TypeError):
        store.save_analysis(conn, aid, doc.content_hash, Analysis(lang="de", claims=[broken]))
    assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 1
    assert isinstance(conn, sqlite3.Connection)
