"""`make bench`: every stage against its floor, in one reproducible run.

    python -m bench.run [--quick] [--only STAGE,...] [--out bench/results.json]
                        [--max-claims N] [--pages N|all] [--repeats N] [--level-budget S]
                        [--shared PATH] [--keep-workdir] [--list]

Each stage (see bench/registry.py) runs in its own subprocess, so its peak memory
is its own; the harness starts a fresh local Neo4j for the stages that need one
(or uses NEO4J_URI when it points at an empty database), prints one table of
figures with their targets and writes results.json with the machine description.
How each figure is measured: bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import machine
from bench.context import StageContext
from bench.corpus import DEFAULT_SHARED, absent_reason, corpus_dir
from bench.figures import figure, target
from bench.memory import vm_hwm
from bench.registry import StageSpec, select

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "bench" / "results.json"
QUICK_PAGES = 12
FULL_PAGES = 300      # pages spread over the corpus for a full run; --pages all for every page
QUICK_CLAIMS = 1_000
RATIO_TARGET = 0.60
PAGECACHE = "2g"      # the local server's page cache: the 1M-claim graph with vectors needs more than 128m


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"a handful of items: {QUICK_PAGES} pages, 1k claims, one repeat (under 2 minutes)")
    p.add_argument("--only", help="comma-separated stages to run (default: all)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON (default: %(default)s)")
    p.add_argument("--max-claims", type=int, default=None,
                   help="cap the synthetic claim levels (lookup runs up to 1,000,000 by default)")
    p.add_argument("--pages", type=_pages, default=None,
                   help=f"corpus pages to use, spread over the manifest: a number or 'all' "
                        f"(default: {FULL_PAGES}; --quick: {QUICK_PAGES})")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats after the warm-up (default 3; --quick 1)")
    p.add_argument("--level-budget", type=float, default=1200.0,
                   help="skip a linking level whose time, extrapolated from the level before, exceeds "
                        "this many seconds (default %(default)s; 0 = measure every level)")
    p.add_argument("--neo4j-max-claims", type=int, default=100_000,
                   help="largest lookup level also searched through Neo4j (default %(default)s; "
                        "1000000 adds the million, whose sync alone takes ~40 min on 2 cores)")
    p.add_argument("--shared", type=Path, default=None,
                   help=f"the shared folder with corpus/ (default: {DEFAULT_SHARED})")
    p.add_argument("--keep-workdir", action="store_true", help="keep the scratch folder (records, logs)")
    p.add_argument("--list", action="store_true", help="list the stages and exit")
    return p.parse_args(argv)


def _pages(value: str) -> int | str:
    if value == "all":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--pages takes a number or 'all', not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("--pages must be at least 1")
    return n


def build_context(args: argparse.Namespace, workdir: Path) -> StageContext:
    shared = args.shared or DEFAULT_SHARED
    corpus = corpus_dir(shared)
    quick = args.quick
    max_claims = args.max_claims if args.max_claims is not None else (QUICK_CLAIMS if quick else None)
    return StageContext(
        quick=quick,
        shared=str(shared) if shared.is_dir() else None,
        corpus=str(corpus) if corpus else None,
        workdir=str(workdir),
        pages=(None if args.pages == "all" else args.pages if args.pages is not None
               else QUICK_PAGES if quick else FULL_PAGES),
        repeats=args.repeats if args.repeats is not None else (1 if quick else 3),
        max_claims=max_claims,
        level_budget=args.level_budget or None,
        neo4j_max_claims=args.neo4j_max_claims,
    )


# -- Neo4j for the stages that need one ----------------------------------------------------------

class Neo4jForBench:
    """NEO4J_URI when set (and empty), else a fresh local server in the scratch folder."""

    def __init__(self, workdir: Path):
        self.data_dir = workdir / "neo4j"
        self.started = False
        self.stopped = False
        self.uri: str | None = None
        self.pid: int | None = None
        self.database = os.environ.get("NEO4J_DATABASE") or None
        self.reason: str | None = None

    def open(self) -> None:
        from graph import neo4j_local
        env_uri = os.environ.get("NEO4J_URI")
        try:
            if env_uri:
                self._check_empty(env_uri)
                self.uri = env_uri
                return
            neo4j_local.ensure_built()
            server = neo4j_local.start(self.data_dir, pagecache=PAGECACHE, owner_pid=os.getpid())
            self.started, self.uri, self.pid = True, server.uri, server.pid
        except Exception as exc:  # the other stages still run; the table says why these did not
            self.reason = f"no Neo4j: {type(exc).__name__}: {exc}"
            self.uri = None

    def _check_empty(self, uri: str) -> None:
        """Refuse a database that holds data: the Neo4j stages delete everything they write."""
        import neo4j
        from graph.neo4j_local import auth_from_env
        with neo4j.GraphDatabase.driver(uri, auth=auth_from_env()) as driver:
            records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n",
                                                 database_=self.database)
            nodes = records[0]["n"]
        if nodes:
            raise RuntimeError(
                f"the database at NEO4J_URI={uri} holds {nodes} nodes; the bench clears the graph "
                "between stages, so point NEO4J_URI at an empty database or unset it to let the "
                "bench start its own local Neo4j")

    def driver(self):
        import neo4j
        from graph.neo4j_local import auth_from_env
        return neo4j.GraphDatabase.driver(self.uri, auth=auth_from_env())

    def close(self) -> None:
        if self.started and not self.stopped:
            from graph import neo4j_local
            neo4j_local.stop(self.data_dir)
            self.stopped = True


# -- one stage in its own subprocess --------------------------------------------------------------

def run_stage(spec: StageSpec, ctx: StageContext, workdir: Path) -> dict:
    ctx_path = workdir / f"{spec.name}.context.json"
    out_path = workdir / f"{spec.name}.result.json"
    ctx.dump(ctx_path)
    out_path.unlink(missing_ok=True)
    (workdir / f"{spec.name}.partial.json").unlink(missing_ok=True)
    timeout = spec.quick_timeout if ctx.quick else spec.timeout
    cmd = [sys.executable, "-m", "bench.child", spec.name, str(ctx_path), str(out_path)]
    started = time.monotonic()
    # Own session, so a timeout can stop the stage together with its worker processes.
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True, env=_child_env())
    try:
        status, rusage, timed_out = _wait(proc, started + timeout)
    except BaseException:             # Ctrl-C or SIGTERM: the stage and its workers go too
        _signal_group(proc.pid, signal.SIGKILL)
        os.waitpid(proc.pid, 0)
        raise
    seconds = time.monotonic() - started
    result: dict = {}
    partial = workdir / f"{spec.name}.partial.json"
    if out_path.exists():
        result = json.loads(out_path.read_text())
    elif partial.exists():            # the stage died: keep the levels it finished
        result = json.loads(partial.read_text())
    # The stage's own VmHWM; the rusage of the wait is the fallback (it may include the
    # forked image of this harness, see bench/memory.py).
    peak = result.get("peak_rss_self") or rusage.ru_maxrss * 1024
    entry = {
        "title": spec.title,
        "seconds": round(seconds, 2),
        "peak_rss_bytes": peak,
        "info": result.get("info", {}),
        "skipped_parts": result.get("skipped", []),
        "warnings": result.get("warnings", []),
        "figures": result.get("figures", []),
    }
    if timed_out:
        entry.update(status="timeout", reason=f"stopped after {timeout} s (raise the stage's timeout "
                                                "in bench/registry.py or use --max-claims/--pages)")
    elif status != 0 or "error" in result:
        entry.update(status="error", reason=result.get("error") or _exit_reason(status),
                     traceback=result.get("traceback"))
    else:
        entry["status"] = "ok"
    return entry


def _exit_reason(status: int) -> str:
    if status < 0:
        name = signal.Signals(-status).name if -status in signal.valid_signals() else str(-status)
        hint = " (SIGKILL: out of memory? see the kernel log)" if -status == signal.SIGKILL else ""
        return f"the stage process was killed by {name}{hint}; figures of finished levels are kept"
    return f"the stage process exited with status {status}"


def _child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def _wait(proc: subprocess.Popen, deadline: float):
    """Wait for the stage with os.wait4, which returns the rusage of that one child."""
    timed_out = False
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        if time.monotonic() > deadline and not timed_out:
            timed_out = True
            _signal_group(proc.pid, signal.SIGTERM)
            kill_at = time.monotonic() + 10
            while time.monotonic() < kill_at:
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    break
                time.sleep(0.2)
            else:
                _signal_group(proc.pid, signal.SIGKILL)
                pid, status, rusage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.1)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, rusage, timed_out


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def neo4j_peak_rss(pid: int | None) -> int | None:
    """VmHWM of the local Neo4j server so far (the JVM, outside the stage's own rusage)."""
    return vm_hwm(pid) if pid is not None else None


# -- figures across stages --------------------------------------------------------------------------

def derived_figures(stages: dict[str, dict]) -> list[dict]:
    """Figures that need two stages: the pipeline's share of the extraction floor."""
    def value(stage: str, key: str) -> float | None:
        for f in stages.get(stage, {}).get("figures", []):
            if f["key"] == key:
                return f["value"]
        return None

    floor = value("extract_floor", "extract_floor.pages_per_s")
    whole = value("pipeline", "pipeline.pages_per_s")
    if not floor or whole is None:
        return []
    return [dict(figure("pipeline.share_of_floor", "pipeline speed / extraction floor", whole / floor,
                        "ratio", target=target(">=", RATIO_TARGET, "≥ 60 % of floor"),
                        detail={"floor_pages_per_s": floor, "pipeline_pages_per_s": whole}),
                 stage="pipeline")]


def memory_figures(name: str, entry: dict) -> list[dict]:
    out = []
    if entry.get("peak_rss_bytes"):
        out.append(dict(figure(f"{name}.peak_rss", "peak memory (stage process)",
                               entry["peak_rss_bytes"] / 2**20, "MiB"), stage=name))
    workers = entry.get("info", {}).get("worker_peak_rss")
    if workers:
        out.append(dict(figure(f"{name}.worker_peak_rss", "peak memory (largest worker process)",
                               workers / 2**20, "MiB"), stage=name))
    server = entry.get("info", {}).get("neo4j_server_peak_rss")
    if server:
        out.append(dict(figure(f"{name}.neo4j_server_peak_rss", "Neo4j server peak memory so far",
                               server / 2**20, "MiB"), stage=name))
    return out


# -- output -------------------------------------------------------------------------------------------

def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"newsgraph bench ({results['mode']})", show_lines=False)
    for col in ("stage", "figure", "value", "unit", "target", "met?"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for f in results["figures"]:
        met = {True: "[green]yes[/]", False: "[red]no[/]", None: ""}[f["met"]]
        tgt = f["target"]["text"] if f.get("target") else ""
        table.add_row(f["stage"], f["label"], _fmt(f["value"]), f["unit"], tgt, met)
    for name, entry in results["stages"].items():
        if entry["status"] != "ok":
            table.add_row(name, f"[yellow]{entry['status']}[/]: {entry.get('reason', '')}", "", "", "", "")
        for part in entry.get("skipped_parts", []):
            table.add_row(name, f"[yellow]skipped[/] {part['part']}: {part['reason']}", "", "", "", "")
        for warning in entry.get("warnings", []):
            table.add_row(name, f"[red]warning[/]: {warning}", "", "", "", "")
    console.print(table)
    m = results["machine"]
    console.print(f"machine: {m['cpu_model']}, {m['cores']} cores, "
                  f"{(m['memory_bytes'] or 0) / 2**30:.1f} GiB, Python {m['python']}, "
                  f"load {m['load_average_at_start']} -> {m['load_average_at_end']}; "
                  f"total {results['seconds']:.0f} s; results in {results['out']}")


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)    # so that `finally` stops Neo4j and the running stage


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    specs = select(args.only)
    if args.list:
        for s in specs:
            print(f"{s.name:18} {s.title}")
        return 0
    started_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    load_at_start = machine.load_average()
    t0 = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="newsgraph-bench-"))
    ctx = build_context(args, workdir)
    neo = Neo4jForBench(workdir)
    stages: dict[str, dict] = {}
    driver_info = None
    try:
        if any(s.neo4j for s in specs):
            print("bench: starting Neo4j ...", file=sys.stderr, flush=True)
            neo.open()
            ctx.neo4j_uri, ctx.neo4j_database, ctx.neo4j_pid = neo.uri, neo.database, neo.pid
            if neo.uri:
                with neo.driver() as driver:
                    driver_info = machine.neo4j_server_version(driver)
        for spec in specs:
            if spec.needs_corpus and ctx.corpus is None:
                stages[spec.name] = {"title": spec.title, "status": "skipped",
                                     "reason": absent_reason(Path(ctx.shared) if ctx.shared else
                                                             (args.shared or DEFAULT_SHARED)),
                                     "figures": [], "skipped_parts": []}
                continue
            if spec.neo4j == "required" and ctx.neo4j_uri is None:
                stages[spec.name] = {"title": spec.title, "status": "skipped", "reason": neo.reason,
                                     "figures": [], "skipped_parts": []}
                continue
            print(f"bench: {spec.name}: {spec.title} ...", file=sys.stderr, flush=True)
            if spec.neo4j:
                _clear_graph(neo)
            entry = run_stage(spec, ctx, workdir)
            if spec.neo4j:
                entry["info"]["neo4j_server_peak_rss"] = neo4j_peak_rss(neo.pid)
                if neo.reason:
                    entry["skipped_parts"].append({"part": "Neo4j parts", "reason": neo.reason})
            print(f"bench: {spec.name}: {entry['status']} in {entry['seconds']:.0f} s",
                  file=sys.stderr, flush=True)
            stages[spec.name] = entry
    finally:
        neo.close()
        if args.keep_workdir:
            print(f"bench: scratch folder kept at {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    figures: list[dict] = []
    for name, entry in stages.items():
        figures += [dict(f, stage=name) for f in entry.pop("figures", [])]
        figures += memory_figures(name, entry)
    figures += derived_figures({n: {"figures": [f for f in figures if f["stage"] == n]} for n in stages})
    desc = machine.describe()
    desc["neo4j_server"] = driver_info
    desc["load_average_at_start"] = load_at_start
    desc["load_average_at_end"] = desc.pop("load_average")
    out = args.out
    results = {
        "schema": 1,
        "mode": "quick" if ctx.quick else "full",
        "started_at": started_at,
        "seconds": round(time.monotonic() - t0, 1),
        "out": str(out),
        "settings": {"pages": ctx.pages, "repeats": ctx.repeats, "max_claims": ctx.max_claims, "neo4j_max_claims": ctx.neo4j_max_claims,
                     "level_budget": ctx.level_budget,
                     "corpus": ctx.corpus, "stages": [s.name for s in specs],
                     "neo4j": _neo4j_setting(neo)},
        "machine": desc,
        "stages": stages,
        "figures": _ordered(figures, [s.name for s in specs]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print_table(results)
    failed = [n for n, e in stages.items() if e["status"] in ("error", "timeout")]
    if failed:
        print(f"bench: stage(s) failed: {', '.join(failed)} (details in {out})", file=sys.stderr)
        return 1
    return 0


def _neo4j_setting(neo: Neo4jForBench) -> str | None:
    if neo.uri is None:
        return neo.reason
    return "local, started by the bench" if neo.started else "NEO4J_URI"


def _clear_graph(neo: Neo4jForBench) -> None:
    """Each Neo4j stage starts from an empty graph (schema objects stay)."""
    if neo.uri is None:
        return
    from bench.graphdb import clear_graph
    with neo.driver() as driver:
        clear_graph(driver, neo.database)


def _ordered(figures: list[dict], order: list[str]) -> list[dict]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(figures, key=lambda f: rank.get(f["stage"], len(rank)))  # stable within a stage


if __name__ == "__main__":
    sys.exit(main())
