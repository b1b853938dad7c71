"""The whole job on the bundled samples: idempotent, resumable, and robust to garbage inputs."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph import store
from graph.record import open_record
from newsgraph import jobs
from newsgraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "articles"


def snapshot(db: Path) -> dict:
    """Everything the record says about articles and claims, minus timestamps."""
    conn = sqlite3.connect(db)
    try:
        return {
            "articles": conn.execute(
                "SELECT id, canonical_url, source_id, title, published, language, content_hash, "
                "analyzed_hash, status FROM articles ORDER BY id").fetchall(),
            "claims": conn.execute(
                "SELECT id, article_id, span, value, unit, qualifier, attributed_to, hedged "
                "FROM claims ORDER BY id").fetchall(),
            "mentions": conn.execute("SELECT * FROM mentions ORDER BY article_id, start").fetchall(),
            "facts": conn.execute("SELECT id, verdict FROM facts ORDER BY id").fetchall(),
            "members": conn.execute("SELECT * FROM fact_members ORDER BY fact_id, claim_id").fetchall(),
            "flags": conn.execute("SELECT id, kind, severity, reason FROM flags ORDER BY id").fetchall(),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    db = tmp_path_factory.mktemp("rec") / "record.db"
    settings = Settings(db=db)
    result = jobs.run_job(settings, inputs=[SAMPLES])
    return settings, result


def test_samples_run_end_to_end(ingested):
    settings, result = ingested
    assert result.failures == []
    counts = result.summary["counts"]
    n_files = len(list(SAMPLES.glob("*.html")))
    assert counts["articles"] == n_files
    assert counts["claims"] > 5 * n_files
    assert counts["entities"] > 20
    assert counts["flags_by_kind"].get("contradiction", 0) >= 1
    assert result.summary["examples"]["attributions"], "no attributed claim in the samples"


def test_rerun_changes_nothing(ingested):
    settings, _ = ingested
    before = snapshot(settings.db)
    again = jobs.run_job(settings, inputs=[SAMPLES])
    assert again.stages["ingest"].new_or_changed == 0
    assert again.stages["analyze"].analyzed == 0
    assert snapshot(settings.db) == before


def test_garbage_inputs_fail_one_by_one(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLES / sorted(p.name for p in SAMPLES.glob("*.html"))[0], batch / "good.html")
    (batch / "empty.html").write_bytes(b"")
    (batch / "binary.html").write_bytes(bytes(range(256)) * 64)
    (batch / "latin.txt").write_bytes("Die Kosten lagen bei 5 Mio. Euro für Müller".encode("utf-8") + b"\xff\xfe\xfa" * 50 + b"\x00\x00")
    big = batch / "huge.html"
    with open(big, "wb") as fh:
        fh.write(b"<html><body>")
        chunk = b"<p>" + b"Viel Text ohne Ende. " * 500 + b"</p>\n"
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
        fh.write(b"</body></html>")
    settings = Settings(db=tmp_path / "r.db")
    result = jobs.ingest_job(settings, [batch])
    failed = {Path(f.input).name: f for f in result.failures}
    assert set(failed) == {"empty.html", "binary.html", "latin.txt", "huge.html"}
    assert failed["empty.html"].reason == "empty"
    assert failed["binary.html"].reason == "binary"
    assert failed["huge.html"].reason == "too_large"
    for f in failed.values():
        assert f.message and str(f.input)
    conn = open_record(settings.db)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] > 0
    assert conn.execute("SELECT COUNT(*) FROM input_failures").fetchone()[0] == 4


def test_killed_run_resumes_without_duplicates(tmp_path):
    """kill -9 in the middle of the NLP stage, then re-run: same record as one clean run."""
    db = tmp_path / "r.db"
    env = {**os.environ, "NEWSGRAPH_DB": str(db), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "newsgraph.cli", "ingest", str(SAMPLES)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until at least one article is analyzed, then kill hard
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                c = sqlite3.connect(db, timeout=1)
                n = c.execute("SELECT COUNT(*) FROM articles WHERE status = 'analyzed'").fetchone()[0]
                c.close()
                if n >= 1:
                    break
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    settings = Settings(db=db)
    jobs.ingest_job(settings, [SAMPLES])
    clean = Settings(db=tmp_path / "clean.db")
    jobs.ingest_job(clean, [SAMPLES])
    resumed, reference = snapshot(db), snapshot(clean.db)
    assert resumed["articles"] == reference["articles"]
    assert resumed["claims"] == reference["claims"]
    assert resumed["mentions"] == reference["mentions"]
    conn = open_record(db)
    assert store.pending_articles(conn) == []


def test_newer_nlp_rules_analyze_stored_articles_again(tmp_path):
    """An upgrade or an edited data file analyzes the unchanged articles once more, and linking
    follows; a prose file or a re-run changes nothing."""
    from graph.link import link_record
    from graph.link_config import LinkConfig
    from newsgraph import pipeline
    from nlp.analyze import Analyzer
    from nlp.config import DEFAULT_DATA_DIR, PipelineConfig

    conn = open_record(tmp_path / "record.db")
    pipeline.ingest_paths(conn, sorted(SAMPLES.glob("*.html"))[:2], max_bytes=20_000_000)
    first = pipeline.analyze_pending(conn, Analyzer())
    assert (first.analyzed, first.again) == (2, 0)
    claims = snapshot(tmp_path / "record.db")["claims"]
    assert link_record(conn, LinkConfig()).articles_linked == 2
    assert pipeline.analyze_pending(conn, Analyzer()).analyzed == 0

    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    (data / "README.md").write_text("notes only\n", encoding="utf-8")
    assert pipeline.analyze_pending(conn, Analyzer(PipelineConfig(data_dir=data))).analyzed == 0

    measures = data / "measures.json"
    measures.write_text(measures.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = pipeline.analyze_pending(conn, Analyzer(PipelineConfig(data_dir=data)))
    assert (again.analyzed, again.again) == (2, 2)
    assert snapshot(tmp_path / "record.db")["claims"] == claims
    assert store.pending_articles(conn, Analyzer(PipelineConfig(data_dir=data)).rules) == []
    assert link_record(conn, LinkConfig()).articles_linked == 2
    assert link_record(conn, LinkConfig()).articles_linked == 0
