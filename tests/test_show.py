"""Fact drawings (queries/show.py): well-formed SVG/HTML with the group's values, sources and edges."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from graph_fixture import build_record
from queries.show import ShowError, render_fact

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def fx(tmp_path):
    return build_record(tmp_path / "record.db")


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def edges(root, kind: str) -> list:
    return [p for p in root.iter(f"{SVG}path") if kind in (p.get("class") or "").split()]


def test_svg_shows_values_sources_and_disagreements(fx, tmp_path):
    out = render_fact(fx.conn, "fact-train", tmp_path / "train.svg")
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    labels = texts(root)
    for value in ("5.6 M USD  (hedged)", "≈ 6 M USD", "12 M USD  (hedged)"):
        assert value in labels
    for source in ("Techblatt", "Pacific Wire", "Copyblog"):
        assert source in labels
    assert any(t.startswith("2025-01-28") for t in labels)
    assert "DeepSeek" in labels                      # the attribution column
    assert "Legend" in labels
    assert len(edges(root, "contradiction")) == 2
    assert len(edges(root, "corroboration")) == 1
    assert len(edges(root, "stated")) == 3
    assert len(edges(root, "attributed")) == 1
    assert not list(root.iter(f"{SVG}script"))


def test_copies_changes_and_conversions_are_drawn(fx, tmp_path):
    root = ET.parse(render_fact(fx.conn, "fact-idle", tmp_path / "idle.svg")).getroot()
    (copy,) = edges(root, "copy")
    assert "similarity 0.82" in "".join(copy.itertext())
    rent = ET.parse(render_fact(fx.conn, "fact-rent", tmp_path / "rent.svg")).getroot()
    assert len(edges(rent, "change_over_time")) == 1
    assert len(edges(rent, "conversion")) == 1
    labels = texts(rent)
    assert "≈ 180,000 CNY / month" in labels and "10,300 USD / month" in labels


def test_claim_id_draws_its_fact_and_html_is_self_contained(fx, tmp_path):
    out = render_fact(fx.conn, fx.claim_ids["a4_train"], tmp_path / "claim.html")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|https?://(?!www\.w3\.org/2000/svg)", html)
    svg = html[html.index("<svg"): html.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    assert "12 M USD  (hedged)" in texts(root) and "Techblatt" in texts(root)


def test_claim_without_fact_and_unknown_id(fx, tmp_path):
    fx.conn.execute("DELETE FROM facts WHERE id = 'fact-hw'")
    root = ET.parse(render_fact(fx.conn, fx.claim_ids["a1_hw"], tmp_path / "hw.svg")).getroot()
    labels = texts(root)
    assert "≥ 500 M USD" in labels and "SemiAnalysis" in labels
    with pytest.raises(ShowError, match="neither a fact id nor a claim id"):
        render_fact(fx.conn, "nothing-here", tmp_path / "x.svg")


def test_drawing_is_deterministic(fx, tmp_path):
    a = render_fact(fx.conn, "fact-rent", tmp_path / "a.svg").read_text(encoding="utf-8")
    b = render_fact(fx.conn, "fact-rent", tmp_path / "b.svg").read_text(encoding="utf-8")
    assert a == b
