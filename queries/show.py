"""Draw one fact group as SVG (or self-contained HTML): `newsgraph show <fact or claim id>`.

Why a drawing: a fact-checker sees at a glance which outlets state which
value, who they quote, who copied whom and which claims disagree. The layout is
deterministic (three columns: sources | claims | attributed sources; rows in
publication order), so the same record always gives the same picture, and the
file has no scripts or external resources.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from queries.values import describe_value

WIDTH = 1270
COL_SOURCE, COL_CLAIM, COL_ATTR = 140, 520, 1010
BOX_W = {"source": 280, "claim": 330, "attr": 230}
MAX_BULGE = 130  # arcs stay in the gaps beside their column
ROW_H, BOX_H, TOP = 66, 50, 90

# relationship kind -> (stroke colour, dash pattern, legend label)
EDGE_STYLES = {
    "stated": ("#9aa0a6", "", "stated in (source → claim)"),
    "attributed": ("#1a73e8", "5,3", "attributed to"),
    "contradiction": ("#d93025", "", "contradicts"),
    "corroboration": ("#188038", "", "corroborates"),
    "change_over_time": ("#e37400", "", "changed over time"),
    "conversion": ("#5f6368", "2,3", "converts (currency)"),
    "copy": ("#9334e6", "6,3", "copies (copier → original)"),
}
CLAIM_FLAG_KINDS = ("contradiction", "corroboration", "change_over_time")


class ShowError(Exception):
    """The id names no fact or claim in the record."""


@dataclass
class ClaimBox:
    id: str
    article_id: str
    display: str
    span: str
    hedged: bool
    time: str | None
    attributed_to: list[str]
    conversion_of: str | None
    y: float = 0.0


@dataclass
class SourceBox:
    article_id: str
    source: str
    published: str | None
    title: str | None
    y: float = 0.0


def render_fact(conn: sqlite3.Connection, fact_or_claim_id: str, out: Path) -> Path:
    """Write the drawing of the fact (or the claim's fact) to `out` (.svg, or .html for a page)."""
    out = Path(out)
    svg = fact_svg(conn, fact_or_claim_id)
    if out.suffix.lower() in (".html", ".htm"):
        title = escape(f"newsgraph — {fact_or_claim_id}")
        text = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title
                + "</title></head>\n<body style=\"margin:0;background:#fff\">\n" + svg
                + "\n</body></html>\n")
    else:
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def fact_svg(conn: sqlite3.Connection, fact_or_claim_id: str) -> str:
    fact, claim_ids = resolve(conn, fact_or_claim_id)
    claims, sources = load_group(conn, claim_ids)
    flags = load_flags(conn, [c.id for c in claims], [s.article_id for s in sources])
    return draw(fact, claims, sources, flags)


def resolve(conn: sqlite3.Connection, ident: str) -> tuple[dict, list[str]]:
    """(fact header, member claim ids) for a fact id, or for a claim id (its fact, else itself)."""
    row = conn.execute("SELECT * FROM facts WHERE id = ?", (ident,)).fetchone()
    if row is None:
        claim = conn.execute("SELECT * FROM claims WHERE id = ?", (ident,)).fetchone()
        if claim is None:
            raise ShowError(f"{ident!r} is neither a fact id nor a claim id in this record; "
                            "find ids with `newsgraph lookup` or `newsgraph flags`")
        fid = conn.execute("SELECT fact_id FROM fact_members WHERE claim_id = ? ORDER BY fact_id",
                           (ident,)).fetchone()
        if fid is None:
            return ({"id": None, "subject": claim["subject"], "measure_key": claim["measure_key"],
                     "unit": claim["unit"], "verdict": "single"}, [ident])
        row = conn.execute("SELECT * FROM facts WHERE id = ?", (fid[0],)).fetchone()
    members = [r[0] for r in conn.execute(
        "SELECT claim_id FROM fact_members WHERE fact_id = ? ORDER BY claim_id", (row["id"],))]
    return dict(row), members


def load_group(conn: sqlite3.Connection, claim_ids: list[str]) -> tuple[list[ClaimBox], list[SourceBox]]:
    marks = ",".join("?" * len(claim_ids))
    rows = conn.execute(
        f"""SELECT c.*, a.published, a.title, s.name AS source_name FROM claims c
            JOIN articles a ON a.id = c.article_id JOIN sources s ON s.id = a.source_id
            WHERE c.id IN ({marks})
            ORDER BY a.published IS NULL, a.published, s.name, c.article_id, c.idx""",
        claim_ids).fetchall()
    claims, sources = [], {}
    for r in rows:
        claims.append(ClaimBox(
            id=r["id"], article_id=r["article_id"],
            display=describe_value(r["value"], r["low"], r["high"], r["qualifier"], r["unit"], r["per"]),
            span=r["span"], hedged=bool(r["hedged"]), time=r["time"],
            attributed_to=json.loads(r["attributed_to"] or "[]"), conversion_of=r["conversion_of"]))
        sources.setdefault(r["article_id"], SourceBox(r["article_id"], r["source_name"], r["published"],
                                                      r["title"]))
    return claims, list(sources.values())


def load_flags(conn: sqlite3.Connection, claim_ids: list[str], article_ids: list[str]) -> list[dict]:
    """Claim-pair flags among the group's claims, and copy flags among its articles."""
    cm = ",".join("?" * len(claim_ids))
    am = ",".join("?" * len(article_ids))
    kinds = ",".join("?" * len(CLAIM_FLAG_KINDS))
    rows = conn.execute(
        f"""SELECT id, kind, severity, reason, claim_a, claim_b, article_a, article_b, data FROM flags
            WHERE (kind IN ({kinds}) AND claim_a IN ({cm}) AND claim_b IN ({cm}))
               OR (kind = 'copy' AND article_a IN ({am}) AND article_b IN ({am}))
            ORDER BY kind, id""",
        [*CLAIM_FLAG_KINDS, *claim_ids, *claim_ids, *article_ids, *article_ids]).fetchall()
    return [dict(r) for r in rows]


# -- drawing -----------------------------------------------------------------------------------------

def _text(x: float, y: float, s: str, size: int = 12, weight: str = "normal", fill: str = "#202124",
          anchor: str = "start", limit: int = 48) -> str:
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(s)}</text>')


def _box(x: float, y: float, w: float, h: float, fill: str, stroke: str) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="6" ry="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>')


def _edge(kind: str, d: str, title: str | None = None) -> str:
    colour, dash, _ = EDGE_STYLES[kind]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.8"{dash_attr} '
            f'marker-end="url(#arrow-{kind})" class="edge {kind}">{tip}</path>')


def draw(fact: dict, claims: list[ClaimBox], sources: list[SourceBox], flags: list[dict]) -> str:
    for i, c in enumerate(claims):
        c.y = TOP + i * ROW_H
    for s in sources:
        ys = [c.y for c in claims if c.article_id == s.article_id]
        s.y = sum(ys) / len(ys)
    attributions = list(dict.fromkeys(a for c in claims for a in c.attributed_to))
    attr_y: dict[str, float] = {}
    next_free = TOP
    for name in attributions:  # beside their claims, never overlapping each other
        ys = [c.y for c in claims if name in c.attributed_to]
        attr_y[name] = max(next_free, sum(ys) / len(ys))
        next_free = attr_y[name] + ROW_H
    bottom = max([c.y for c in claims] + list(attr_y.values()) + [TOP])
    legend_y = bottom + ROW_H + 30
    height = legend_y + 40 + 22 * ((len(EDGE_STYLES) + 1) // 2)
    by_claim = {c.id: c for c in claims}
    by_article = {s.article_id: s for s in sources}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
        "<defs>" + "".join(
            f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
            for k, (c, _, _) in EDGE_STYLES.items()) + "</defs>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(20, 32, _title(fact), size=18, weight="bold", limit=110),
        _text(20, 56, f"verdict: {fact.get('verdict') or '-'}   ·   {len(claims)} claims from "
                      f"{len({s.source for s in sources})} sources", size=13, fill="#5f6368", limit=120),
        _text(COL_SOURCE, TOP - 14, "Sources", size=13, weight="bold", fill="#5f6368"),
        _text(COL_CLAIM, TOP - 14, "Claims", size=13, weight="bold", fill="#5f6368"),
        _text(COL_ATTR, TOP - 14, "Attributed to", size=13, weight="bold", fill="#5f6368"),
    ]
    edges: list[str] = []
    sw, cw, aw = BOX_W["source"], BOX_W["claim"], BOX_W["attr"]
    for c in claims:
        s = by_article[c.article_id]
        x1, y1, x2, y2 = COL_SOURCE + sw, s.y + BOX_H / 2, COL_CLAIM, c.y + BOX_H / 2
        edges.append(_edge("stated", f"M{x1:.1f},{y1:.1f} C{x1 + 50:.1f},{y1:.1f} {x2 - 50:.1f},{y2:.1f} "
                                     f"{x2:.1f},{y2:.1f}"))
        for name in c.attributed_to:
            ay = attr_y[name] + BOX_H / 2
            edges.append(_edge("attributed", f"M{COL_CLAIM + cw:.1f},{y2:.1f} C{COL_CLAIM + cw + 60:.1f},"
                                             f"{y2:.1f} {COL_ATTR - 60:.1f},{ay:.1f} {COL_ATTR:.1f},{ay:.1f}"))
        if c.conversion_of in by_claim:
            o = by_claim[c.conversion_of]
            edges.append(_arc("conversion", COL_CLAIM, c.y + BOX_H / 2, o.y + BOX_H / 2, -1, 0))
    for i, f in enumerate(flags):
        if f["kind"] == "copy":
            a, b = by_article.get(f["article_a"]), by_article.get(f["article_b"])
            if a and b and a is not b:
                sim = json.loads(f["data"] or "{}").get("similarity")
                tip = f["reason"] + (f" (similarity {sim:.2f})" if isinstance(sim, (int, float)) else "")
                edges.append(_arc("copy", COL_SOURCE, a.y + BOX_H / 2, b.y + BOX_H / 2, -1, i, tip))
        else:
            a, b = by_claim.get(f["claim_a"]), by_claim.get(f["claim_b"])
            if a and b:
                edges.append(_arc(f["kind"], COL_CLAIM + cw, a.y + BOX_H / 2, b.y + BOX_H / 2, 1, i,
                                  f"{f['kind']} ({f['severity']}): {f['reason']}"))
    parts.extend(edges)
    for s in sources:
        parts.append(_box(COL_SOURCE, s.y, sw, BOX_H, "#f1f3f4", "#9aa0a6"))
        parts.append(_text(COL_SOURCE + 10, s.y + 20, s.source, size=13, weight="bold", limit=34))
        parts.append(_text(COL_SOURCE + 10, s.y + 38, f"{s.published or 'undated'} · {s.title or ''}",
                           size=11, fill="#5f6368", limit=42))
    for c in claims:
        hedge = "  (hedged)" if c.hedged else ""
        parts.append(_box(COL_CLAIM, c.y, cw, BOX_H, "#e8f0fe", "#1a73e8"))
        parts.append(_text(COL_CLAIM + 10, c.y + 21, c.display + hedge, size=14, weight="bold", limit=36))
        detail = f"“{c.span}”" + (f" · {c.time}" if c.time else "")
        parts.append(_text(COL_CLAIM + 10, c.y + 39, detail, size=11, fill="#3c4043", limit=50))
    for name in attributions:
        y = attr_y[name]
        parts.append(_box(COL_ATTR, y, aw, BOX_H, "#fef7e0", "#f9ab00"))
        parts.append(_text(COL_ATTR + 10, y + 30, name, size=13, limit=28))
    parts.append(_text(20, legend_y, "Legend", size=13, weight="bold", fill="#5f6368"))
    for i, (kind, (colour, dash, label)) in enumerate(EDGE_STYLES.items()):
        x = 20 + (i % 2) * 420
        y = legend_y + 22 + (i // 2) * 22
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 40}" y2="{y - 4}" stroke="{colour}" '
                     f'stroke-width="2"{dash_attr}/>')
        parts.append(_text(x + 50, y, label, size=12, limit=60))
    parts.append("</svg>")
    return "\n".join(parts)


def _arc(kind: str, x: float, y1: float, y2: float, side: int, index: int, tip: str | None = None) -> str:
    """A curve from y1 to y2 bulging left (side -1) or right (side 1) of the column edge x."""
    bulge = side * min(MAX_BULGE, 40 + 14 * (index % 5) + abs(y2 - y1) * 0.15)
    return _edge(kind, f"M{x:.1f},{y1:.1f} C{x + bulge:.1f},{y1:.1f} {x + bulge:.1f},{y2:.1f} "
                       f"{x:.1f},{y2:.1f}", tip)


def _title(fact: dict) -> str:
    bits = [fact.get("subject") or "(no subject)", fact.get("measure_key") or "", fact.get("unit") or ""]
    head = " · ".join(b for b in bits if b)
    return f"{head}   [{fact['id']}]" if fact.get("id") else head
