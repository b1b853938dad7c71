"""The `newsgraph` command as a user runs it: output formats, exit codes, error messages."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "articles"


def newsgraph(*args: str, db: Path, stdin: bytes | None = None, env: dict | None = None):
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSGRAPH_DB": str(db), **(env or {})}
    full_env.pop("NEO4J_URI", None)
    return subprocess.run([sys.executable, "-m", "newsgraph.cli", *args], input=stdin,
                          capture_output=True, env=full_env, timeout=600)


def test_claims_extract_from_html_file_prints_json_lines(tmp_path):
    page = sorted(SAMPLES.glob("*deepseek_kurssturz*.html"))[0]
    res = newsgraph("claims", "extract", str(page), db=tmp_path / "r.db")
    assert res.returncode == 0, res.stderr.decode()
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert rows, "no claims"
    for key in ("text", "start", "end", "span", "value", "low", "high", "qualifier", "unit", "per",
                "subject", "measure", "entities", "time", "attributed_to", "hedged", "lang"):
        assert key in rows[0]
    hedged = [r for r in rows if r["span"].startswith("5,6 Mio")]
    assert hedged and hedged[0]["value"] == pytest.approx(5.6e6) and hedged[0]["unit"] == "USD"
    assert hedged[0]["hedged"] is True
    assert not (tmp_path / "r.db").exists(), "claims extract must not write a record"


def test_claims_extract_from_stdin_text(tmp_path):
    text = ("Nach Angaben des Branchenverbands stehen bis zu 80 Prozent der neuen Rechenzentren leer. "
            "Ein Server kostet 75.000 Yuan pro Monat.").encode()
    res = newsgraph("claims", "extract", "-", "--lang", "de", db=tmp_path / "r.db", stdin=text)
    assert res.returncode == 0, res.stderr.decode()
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    spans = {r["span"]: r for r in rows}
    assert spans["bis zu 80 Prozent"]["qualifier"] == "upper_bound"
    assert spans["bis zu 80 Prozent"]["high"] == 80
    rent = [r for r in rows if r["unit"] == "CNY"][0]
    assert rent["value"] == 75000 and rent["per"] == "month"


def test_missing_input_is_a_usage_error(tmp_path):
    res = newsgraph("claims", "extract", str(tmp_path / "nope.html"), db=tmp_path / "r.db")
    assert res.returncode == 2
    assert "nope.html" in res.stderr.decode()
    res = newsgraph("ingest", str(tmp_path / "nope"), db=tmp_path / "r.db")
    assert res.returncode == 2
    res = newsgraph("run", db=tmp_path / "r.db")
    assert res.returncode == 2


def test_failed_inputs_exit_1_and_are_named(tmp_path):
    batch = tmp_path / "in"
    batch.mkdir()
    (batch / "leer.html").write_bytes(b"")
    (batch / "gut.txt").write_text("Die Firma meldete einen Umsatz von 3,2 Milliarden Euro.\n"
                                  "Laut dem Vorstand stieg der Gewinn um 12 Prozent.\n", encoding="utf-8")
    res = newsgraph("ingest", str(batch), "--json", db=tmp_path / "r.db")
    assert res.returncode == 1, res.stderr.decode()
    out = json.loads(res.stdout.decode())
    assert [Path(f["input"]).name for f in out["failures"]] == ["leer.html"]
    assert out["stages"]["ingest"]["new_or_changed"] == 1
    assert out["summary"]["counts"]["claims"] >= 2


def test_sync_without_neo4j_says_what_to_do(tmp_path):
    res = newsgraph("sync", db=tmp_path / "r.db")
    assert res.returncode == 2
    assert "NEO4J_URI" in res.stderr.decode()


def test_broken_record_is_a_configuration_error(tmp_path):
    bad = tmp_path / "r.db"
    bad.write_bytes(b"definitely not sqlite" * 200)
    res = newsgraph("summary", db=bad)
    assert res.returncode == 2
    assert "--db" in res.stderr.decode()
    assert bad.read_bytes().startswith(b"definitely not sqlite"), "the bad file must be left alone"


def test_unknown_ids_and_unwritable_outputs_of_show_are_usage_errors(tmp_path):
    db = tmp_path / "r.db"
    page = sorted(SAMPLES.glob("*deepseek_kurssturz*.html"))[0]
    assert newsgraph("ingest", str(page), db=db).returncode == 0
    res = newsgraph("show", "no-such-fact", "--out", str(tmp_path / "f.svg"), db=db)
    assert res.returncode == 2
    err = " ".join(res.stderr.decode().split())
    assert "'no-such-fact' is neither a fact id nor a claim id" in err and "Traceback" not in err
    claim_id = json.loads(newsgraph("lookup", "Nvidia", "--json", db=db).stdout)[0]["claims"][0]["claim_id"]
    blocked = tmp_path / "file"
    blocked.write_text("a file, not a folder")
    res = newsgraph("show", claim_id, "--out", str(blocked / "f.svg"), db=db)
    assert res.returncode == 2
    assert f"cannot write {blocked / 'f.svg'}" in " ".join(res.stderr.decode().split())
    assert newsgraph("show", claim_id, "--out", str(tmp_path / "f.svg"), db=db).returncode == 0
    assert (tmp_path / "f.svg").read_text(encoding="utf-8").startswith("<?xml")


def test_unknown_query_names_and_bad_parameters_are_usage_errors(tmp_path):
    """Both are told before any connection: no Neo4j is needed to learn the query's name was wrong."""
    res = newsgraph("query", "no_such_query", db=tmp_path / "r.db")
    assert res.returncode == 2
    assert "no query named 'no_such_query'; known queries:" in " ".join(res.stderr.decode().split())
    res = newsgraph("query", "contradictions", "-p", "entity", db=tmp_path / "r.db")
    assert res.returncode == 2
    assert "is not key=value" in res.stderr.decode()
    res = newsgraph("query", "contradictions", "-p", "colour=red", db=tmp_path / "r.db")
    assert res.returncode == 2
    assert "has no parameter(s) ['colour']" in " ".join(res.stderr.decode().split())


def test_a_typo_in_the_flag_kind_is_a_usage_error(tmp_path):
    res = newsgraph("flags", "--kind", "contradictions", db=tmp_path / "r.db")
    assert res.returncode == 2
    assert "no flag kind 'contradictions'; the kinds are: contradiction," in " ".join(res.stderr.decode().split())


def test_tables_and_messages_print_data_as_is_never_as_markup():
    """Sentences, reasons and error messages may hold "[[source]]" or "[b]": rich must not eat them."""
    from newsgraph import render, views

    with render.out.capture() as cap:
        render.print_table([{"span": "[b]5 %[/b]", "where": "[[source]] #1"}], title="[red]t")
        views.print_lookup([{"subject": "[Nvidia]", "measure_key": "revenue", "verdict": "consistent",
                             "fact_id": "f1", "claims": [], "flags": [
                                 {"kind": "contradiction", "severity": "high", "claims": [],
                                  "reason": "[bold]A[/bold]: 5 [USD]"}]}])
    text = cap.get()
    for raw in ("[b]5 %[/b]", "[[source]] #1", "[red]t", "[Nvidia]", "[bold]A[/bold]: 5 [USD]"):
        assert raw in text, raw
