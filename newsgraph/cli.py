"""The `newsgraph` command: thin wrappers over library functions.

Each command parses options, calls one library function (the same ones the
tests call) and renders its result: a table for people, `--json` for machines.
Exit codes: 0 all good, 1 some inputs failed (the summary names them), 2 usage
or configuration error.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from newsgraph import jobs, render, views
from newsgraph.config import ConfigError, Settings, load_settings
from newsgraph.connections import JobLocked

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="News articles -> entities, numeric claims, contradictions and provenance -> Neo4j.")
claims_app = typer.Typer(no_args_is_help=True, help="Work with claims of single documents.")
neo4j_app = typer.Typer(no_args_is_help=True, help="A local embedded Neo4j 5 (Bolt on 127.0.0.1).")
app.add_typer(claims_app, name="claims")
app.add_typer(neo4j_app, name="neo4j")

EXIT_OK, EXIT_INPUTS_FAILED, EXIT_USAGE = 0, 1, 2

NEO4J_OPT = typer.Option(None, "--neo4j", help="Bolt URI of a Neo4j (default: NEO4J_URI).")
JSON_OPT = typer.Option(False, "--json", help="Machine-readable JSON on stdout.")


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite record (default: NEWSGRAPH_DB or .newsgraph/record.db)."),
) -> None:
    ctx.obj = load_settings({"db": db})


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


# -- the main job and its stages ---------------------------------------------

@app.command()
def run(
    ctx: typer.Context,
    inputs: List[Path] = typer.Argument(None, help="Local files or folders to ingest (no network)."),
    sources: Optional[Path] = typer.Option(None, "--sources", help="Sources TOML: feeds, sitemaps, URL lists to crawl."),
    since: Optional[str] = typer.Option(None, "--since", help="Crawl: only articles published on or after this date (YYYY-MM-DD)."),
    max_pages: Optional[int] = typer.Option(None, "--max-pages", help="Crawl: stop after this many fetched pages."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Crawl: allow private/loopback addresses (tests, intranets)."),
    neo4j_uri: Optional[str] = NEO4J_OPT,
    log_json: bool = typer.Option(False, "--log-json", help="Structured log lines on stderr instead of a progress bar."),
    as_json: bool = JSON_OPT,
) -> None:
    """The main job: crawl or ingest -> extract -> analyze -> link -> record -> (Neo4j sync)."""
    settings = _settings(ctx)
    if neo4j_uri:
        settings.neo4j_uri = neo4j_uri
    if not inputs and not sources:
        raise typer.BadParameter("give files/folders to ingest or --sources FILE to crawl", param_hint="INPUTS")
    with views.progress_printer(log_json=log_json) as progress:
        result = jobs.run_job(settings, inputs=list(inputs or []), sources_file=sources, since=since,
                              max_pages=max_pages, allow_private=allow_private,
                              progress=progress)
    _finish(result, as_json)


@app.command()
def ingest(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="HTML or text files and folders."),
    as_json: bool = JSON_OPT,
) -> None:
    """Store local HTML/text files in the record and extract their claims (no network)."""
    with views.progress_printer() as progress:
        result = jobs.ingest_job(_settings(ctx), paths, progress=progress)
    _finish(result, as_json)


@app.command()
def crawl(
    ctx: typer.Context,
    urls: List[str] = typer.Argument(None, help="Article URLs (in addition to --sources)."),
    sources: Optional[Path] = typer.Option(None, "--sources", help="Sources TOML."),
    feed: List[str] = typer.Option(None, "--feed", help="An RSS/Atom feed URL, repeatable."),
    sitemap: List[str] = typer.Option(None, "--sitemap", help="A sitemap (or sitemap index) URL, repeatable."),
    since: Optional[str] = typer.Option(None, "--since"),
    max_pages: Optional[int] = typer.Option(None, "--max-pages"),
    allow_private: bool = typer.Option(False, "--allow-private"),
    log_json: bool = typer.Option(False, "--log-json", help="Structured log lines on stderr instead of a progress bar."),
    as_json: bool = JSON_OPT,
) -> None:
    """Crawl feeds, sitemaps and URLs politely and incrementally; store and analyze new articles."""
    if not urls and not sources and not feed and not sitemap:
        raise typer.BadParameter("give URLs, --feed, --sitemap or --sources FILE", param_hint="URLS")
    with views.progress_printer(log_json=log_json) as progress:
        result = jobs.crawl_job(_settings(ctx), urls=list(urls or []), sources_file=sources, since=since,
                                max_pages=max_pages, allow_private=allow_private,
                                progress=progress, feeds=list(feed or []), sitemaps=list(sitemap or []))
    _finish(result, as_json)


@app.command()
def link(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Link entities and facts across articles; flag contradictions and provenance."""
    with views.progress_printer() as progress:
        result = jobs.link_job(_settings(ctx), progress=progress)
    _finish(result, as_json)


@app.command()
def sync(ctx: typer.Context, neo4j_uri: Optional[str] = NEO4J_OPT, as_json: bool = JSON_OPT) -> None:
    """Project the record into Neo4j (idempotent: twice leaves the same graph)."""
    with views.progress_printer() as progress:
        result = jobs.sync_job(_settings(ctx), uri=neo4j_uri, progress=progress)
    _finish(result, as_json)


@app.command()
def summary(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """What the record holds: counts and examples."""
    data = jobs.summary_of(_settings(ctx))
    render.print_json(data) if as_json else views.print_summary(data)


# -- single documents ---------------------------------------------------------

@claims_app.command("extract")
def claims_extract(
    ctx: typer.Context,
    path: str = typer.Argument(..., help="A text or HTML file, or - for stdin."),
    lang: str = typer.Option("auto", "--lang", help="de, en or auto."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or table."),
) -> None:
    """Print the claims of one document (stateless: nothing is stored)."""
    if fmt not in ("jsonl", "table"):
        raise typer.BadParameter("use jsonl or table", param_hint="--format")
    data = sys.stdin.buffer.read() if path == "-" else jobs.read_input_file(Path(path))
    claims = jobs.extract_claims(data, name=path, lang=None if lang == "auto" else lang,
                                 settings=_settings(ctx))
    if fmt == "jsonl":
        render.print_jsonl(claims)
    else:
        render.print_table(
            [{"span": c.span, "value": render.fmt_value(c.value, c.unit), "qualifier": c.qualifier,
              "subject": c.subject, "measure": c.measure_key or c.measure, "time": c.time,
              "attributed_to": ", ".join(c.attributed_to), "hedged": "yes" if c.hedged else ""}
             for c in claims], title=f"claims in {path}")


# -- reading the results ------------------------------------------------------

@app.command()
def flags(
    ctx: typer.Context,
    kind: Optional[str] = typer.Option(None, "--kind", help=", ".join(jobs.FLAG_KINDS) + "."),
    limit: int = typer.Option(100, "--limit", min=1),
    as_json: bool = JSON_OPT,
) -> None:
    """Contradictions and provenance flags with their evidence."""
    rows = jobs.list_flags(_settings(ctx), kind=kind, limit=limit)
    if as_json:
        render.print_json(rows)
    else:
        render.print_table([{k: r[k] for k in ("kind", "severity", "reason", "source_a", "source_b")}
                            for r in rows], title="flags")


@app.command()
def lookup(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to look for, German or English."),
    limit: int = typer.Option(10, "--limit", min=1),
    neo4j_uri: Optional[str] = NEO4J_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Find claims by meaning and words, grouped by fact, with values, sources and flags."""
    results = jobs.lookup(_settings(ctx), text, limit=limit, uri=neo4j_uri)
    if as_json:
        render.print_json(results)
    else:
        views.print_lookup(results)


@app.command()
def query(
    ctx: typer.Context,
    name: Optional[str] = typer.Argument(None, help="Name of a query in queries/ (see --list)."),
    param: List[str] = typer.Option(None, "-p", "--param", help="key=value, repeatable."),
    cypher: Optional[str] = typer.Option(None, "--cypher", help="An ad-hoc read-only Cypher query."),
    list_: bool = typer.Option(False, "--list", help="List the named queries."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
    neo4j_uri: Optional[str] = NEO4J_OPT,
) -> None:
    """Run a named Cypher query (or --cypher, read-only) against Neo4j."""
    if list_:
        render.print_table(jobs.list_named_queries(), title="queries")
        return
    if not name and not cypher:
        raise typer.BadParameter("give a query NAME, --cypher or --list", param_hint="NAME")
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("use table, json or csv", param_hint="--format")
    rows = jobs.run_named_query(_settings(ctx), name=name, cypher=cypher, params=list(param or []),
                                uri=neo4j_uri)
    {"json": render.print_json, "csv": render.print_csv}.get(fmt, lambda r: render.print_table(r, title=name or "query"))(rows)


@app.command()
def show(
    ctx: typer.Context,
    ident: str = typer.Argument(..., help="A fact id or claim id."),
    out: Path = typer.Option(..., "--out", help="Output .svg or .html file."),
) -> None:
    """Draw a fact group: claims, sources, attributions, copies and contradictions."""
    path = jobs.show(_settings(ctx), ident, out)
    render.err.print(escape(f"wrote {path}"))


# -- local Neo4j --------------------------------------------------------------

DATA_OPT = typer.Option(Path(".newsgraph/neo4j"), "--data", help="Data folder of the local Neo4j.")


@neo4j_app.command("start")
def neo4j_start(data: Path = DATA_OPT, port: int = typer.Option(7687, "--port")) -> None:
    """Build (first time: Maven) and start a local Neo4j; prints its Bolt URI."""
    render.out.print(jobs.neo4j_start(data, port))


@neo4j_app.command("stop")
def neo4j_stop(data: Path = DATA_OPT) -> None:
    """Stop the local Neo4j cleanly."""
    render.out.print("stopped" if jobs.neo4j_stop(data) else "not running")


@neo4j_app.command("status")
def neo4j_status(data: Path = DATA_OPT, as_json: bool = JSON_OPT) -> None:
    """Is the local Neo4j running, and where."""
    st = jobs.neo4j_status(data)
    if as_json:
        render.print_json(st)
    else:
        render.out.print(f"running: {st['uri']} (pid {st['pid']})" if st else "not running")
    if not st:
        raise typer.Exit(1)


# -- plumbing -------------------------------------------------------------------

def _finish(result: "jobs.JobResult", as_json: bool) -> None:
    if as_json:
        render.print_json(result.as_dict())
    else:
        views.print_job(result)
    raise typer.Exit(EXIT_INPUTS_FAILED if result.failures else EXIT_OK)


def main() -> None:
    """Entry point: maps configuration errors and locks to exit code 2 with the message."""
    # Models load from local files only; their download/loading progress bars are noise here.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app(standalone_mode=True)
    except (ConfigError, JobLocked) as exc:
        render.err.print("[red]error:[/red] " + escape(str(exc)))
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
