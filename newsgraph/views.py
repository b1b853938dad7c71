"""How job results look to a person: progress while working, a summary at the end.

Kept apart from `jobs` so the library never prints; the CLI chooses between
these views and `--json`.
"""
from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from typing import Iterator

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newsgraph.render import err, fmt_value, out, print_table, to_plain


@contextmanager
def progress_printer(log_json: bool = False) -> Iterator:
    """A `(stage, done, total)` callback: a rich bar on a terminal, log lines otherwise.

    Log lines (plain or `--log-json`) come at most every few seconds per stage,
    so cron mail and journald stay readable.
    """
    if sys.stderr.isatty() and not log_json:
        bars = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=True)
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        with bars:
            yield update
        return

    last: dict[str, float] = {}

    def log(stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if total is not None and done < total and now - last.get(stage, 0) < 5:
            return
        if total is None and now - last.get(stage, 0) < 5:
            return
        last[stage] = now
        if log_json:
            sys.stderr.write(json.dumps({"ts": time.time(), "stage": stage, "done": done, "total": total}) + "\n")
        else:
            sys.stderr.write(f"{stage}: {done}{'/' + str(total) if total else ''}\n")

    yield log


def print_job(result) -> None:
    """The end-of-job summary: what each stage did, failures by input, then the record."""
    data = result.as_dict()
    for name, stage in data["stages"].items():
        if isinstance(stage, dict):
            parts = [f"{k} {_stage_figure(v)}" for k, v in stage.items() if _stage_figure(v) is not None]
            out.print(f"[bold]{name}[/bold]: " + escape(", ".join(parts)))
    if data["failures"]:
        print_table([{"input": f["input"], "reason": f["reason"], "message": f["message"]}
                     for f in data["failures"]], title=f"{len(data['failures'])} input(s) failed")
    if data.get("summary"):
        print_summary(data["summary"])
    out.print(f"[dim]{data['command']} finished in {data['seconds']:.1f} s[/dim]")


def _stage_figure(value) -> str | None:
    """One stage figure for the summary line: counts by kind are summed (`--json` has them by
    kind), seconds get one decimal; lists and nested tables are left to `--json`."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dict) and value and all(isinstance(v, int) and not isinstance(v, bool)
                                                 for v in value.values()):
        return str(sum(value.values()))
    return None


def print_summary(summary: dict) -> None:
    c = summary["counts"]
    out.print(
        f"[bold]record[/bold]: {c['articles']} articles from {c['sources']} sources, "
        f"{c['entities']} entities ({c['mentions']} mentions), {c['claims']} claims, "
        f"{c['facts']} fact groups, {c['flags_by_kind'].get('contradiction', 0)} contradictions, "
        f"{c['flags_by_kind'].get('corroboration', 0)} corroborations, "
        f"{c['flags_by_kind'].get('copy', 0)} copies, {c['input_failures']} failed inputs"
    )
    ex = summary["examples"]
    if ex["entities"]:
        print_table(ex["entities"], title="entities (most articles)")
    if ex["claims"]:
        print_table([_claim_row(r) for r in ex["claims"]], title="claims")
    if ex["attributions"]:
        print_table([_claim_row(r) for r in ex["attributions"]], title="attributed claims")
    if ex["facts"]:
        print_table(ex["facts"], title="fact groups", columns=["subject", "measure_key", "unit", "verdict", "claims"])
    if ex["contradictions"]:
        print_table(ex["contradictions"], title="contradictions", columns=["severity", "reason"])


def _claim_row(r: dict) -> dict:
    return {"span": r["span"], "value": fmt_value(r["value"], r["unit"]), "qualifier": r["qualifier"],
            "measure": r["measure_key"], "attributed_to": ", ".join(r["attributed_to"]),
            "hedged": "yes" if r["hedged"] else "", "source": r["source"]}


def print_lookup(results) -> None:
    """Facts best first: each claim's normalized value, source and date, then the fact's flags."""
    results = to_plain(results)
    if not results:
        out.print("[dim]no matching claims[/dim]")
        return
    for rank, fact in enumerate(results, start=1):
        head = escape(f"{rank}. {fact.get('subject') or ''} · {fact.get('measure_key') or ''}")
        about = escape(f"({fact.get('verdict', '')}, fact {fact.get('fact_id')})")
        out.print(f"[bold]{head}[/bold] [dim]{about}[/dim]")
        kinds: dict[str, list[str]] = {}
        for flag in fact.get("flags", []):
            for cid in flag["claims"]:
                kinds.setdefault(cid, []).append(flag["kind"])
        print_table([{
            "value": c["display"], "span": c["span"], "source": c["source"], "date": c["published"],
            "attributed_to": ", ".join(c["attributed_to"]), "hedged": "yes" if c["hedged"] else "",
            "flags": ", ".join(sorted(set(kinds.get(c["claim_id"], [])))),
        } for c in fact.get("claims", [])])
        for flag in fact.get("flags", []):
            if flag["kind"] in ("contradiction", "change_over_time"):
                out.print(f"  [red]{flag['kind']}[/red] " + escape(f"({flag['severity']}): {flag['reason']}"))
