"""`make bench` in --quick mode on a handful of items: the harness runs every stage and
writes a results JSON of the documented shape. No timing assertions: the figures
are whatever this machine measures; only their presence and form are checked.

Stages that need ../shared/corpus are reported as skipped (with the reason) when
it is absent, which this test accepts; a stage that crashes or times out fails it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.registry import STAGES

REPO = Path(__file__).resolve().parents[1]
FIGURE_KEYS = {"stage", "key", "label", "value", "unit", "target", "met", "detail"}


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI",)}  # the bench starts its own
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--pages", "4", "--max-claims", "300",
         "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )
    assert out.exists(), f"no results written; stderr:\n{proc.stderr[-4000:]}"
    results = json.loads(out.read_text())
    results["_returncode"] = proc.returncode
    results["_stderr"] = proc.stderr
    return results


def test_top_level_shape(quick_results):
    assert quick_results["schema"] == 1
    assert quick_results["mode"] == "quick"
    assert quick_results["settings"]["pages"] == 4
    assert quick_results["settings"]["max_claims"] == 300
    assert set(quick_results["stages"]) == {s.name for s in STAGES}


def test_machine_description(quick_results):
    m = quick_results["machine"]
    assert m["cores"] >= 1 and m["memory_bytes"] > 0
    assert m["python"].count(".") == 2
    for lib in ("spacy", "trafilatura", "torch", "sentence-transformers", "neo4j"):
        assert lib in m["libraries"]
    assert m["libraries"]["trafilatura"]


def test_every_stage_ran_or_says_why_not(quick_results):
    for name, entry in quick_results["stages"].items():
        assert entry["status"] in ("ok", "skipped"), \
            f"{name}: {entry['status']}: {entry.get('reason')}\n{entry.get('traceback') or ''}"
        if entry["status"] == "skipped":
            assert entry["reason"]
        else:
            assert entry["seconds"] >= 0 and entry["peak_rss_bytes"] > 0
    assert quick_results["_returncode"] == 0, quick_results["_stderr"][-4000:]


def test_figures_have_the_documented_form(quick_results):
    figures = quick_results["figures"]
    ran = [n for n, e in quick_results["stages"].items() if e["status"] == "ok"]
    assert {f["stage"] for f in figures} == set(ran)
    keys = [f["key"] for f in figures]
    assert len(keys) == len(set(keys)), "figure keys must be unique"
    for f in figures:
        assert FIGURE_KEYS <= set(f), f
        assert f["key"].startswith(f["stage"] + ".")
        assert f["value"] is None or isinstance(f["value"], (int, float))
        if f["target"] is None or f["value"] is None:
            assert f["met"] is None
        else:
            assert f["target"]["op"] in (">=", "<=") and isinstance(f["met"], bool)
            bound = f["target"]["value"]
            assert f["met"] == (f["value"] >= bound if f["target"]["op"] == ">=" else f["value"] <= bound)


def test_each_stage_reports_its_peak_memory(quick_results):
    keys = {f["key"] for f in quick_results["figures"]}
    for name, entry in quick_results["stages"].items():
        if entry["status"] == "ok":
            assert f"{name}.peak_rss" in keys


def test_corpus_stages_follow_the_corpus(quick_results):
    corpus_stages = [s.name for s in STAGES if s.needs_corpus]
    if quick_results["settings"]["corpus"] is None:
        for name in corpus_stages:
            assert quick_results["stages"][name]["status"] == "skipped"
            assert "corpus" in quick_results["stages"][name]["reason"]
    else:
        keys = {f["key"] for f in quick_results["figures"]}
        assert {"extract_floor.pages_per_s", "pipeline.pages_per_s", "pipeline.share_of_floor",
                "claims.articles600_per_s", "crawl.first_pages_per_s"} <= keys


def test_neo4j_sync_warm_up_runs_until_a_pass_stops_getting_faster(monkeypatch):
    """The sync stage's warm-up: the pass count follows the passes' times (fed here), not a clock."""
    from bench.stages import neo4j_sync

    def run(times, passes=neo4j_sync.WARM_UP_PASSES):
        feed, calls = iter(times), []
        monkeypatch.setattr(neo4j_sync, "timed", lambda fn: (next(feed), fn()))
        seconds = neo4j_sync.warm_up(lambda: calls.append("sync"), lambda: calls.append("clear"), passes)
        assert calls == ["clear", "sync"] * len(seconds)
        return seconds

    within = neo4j_sync.WARM_WITHIN
    assert run([16, 7.4, 6.1, 5.4, 5.2, 5.3], passes=(2, 6)) == [16, 7.4, 6.1, 5.4, 5.2, 5.3]
    steady = 5.4 * (1 - within / 2)                                              # within the margin
    assert run([16, 7.4, 6.1, 5.4, steady], passes=(2, 6)) == [16, 7.4, 6.1, 5.4, steady]
    assert run([16, 7.4, 7.4], passes=(2, 6)) == [16, 7.4, 7.4]                  # steady at once
    assert run([16, 16, 15], passes=(2, 6)) == [16, 16]                          # at least two passes
    assert run([9, 8, 7, 6, 5, 4, 3], passes=(2, 6)) == [9, 8, 7, 6, 5, 4]       # at most six
    assert run([16, 7], passes=(1, 1)) == [16]                                   # quick mode
    assert len(run([16, 8, 8, 8, 8, 8, 8, 8, 8])) == neo4j_sync.WARM_UP_PASSES[0]  # the stage's own bounds
