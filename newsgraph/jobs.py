"""Library functions behind every CLI command (the tests call these directly).

A job opens what it needs from `Settings`, runs stages from
`newsgraph.pipeline` and the graph/queries packages, and returns plain data.
Writing jobs hold the record's job lock so two nightly runs never interleave.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgraph import pipeline
from newsgraph.config import ConfigError, Settings
from newsgraph.connections import job_lock, neo4j_driver, record
from newsgraph.pipeline import Failure, Progress
from newsgraph.summary import summarize


@dataclass
class JobResult:
    command: str
    stages: dict[str, Any] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    summary: dict | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        from newsgraph.render import to_plain
        return to_plain({"command": self.command, "stages": self.stages,
                         "failures": self.failures, "summary": self.summary,
                         "seconds": round(self.seconds, 3)})


def _analyzer(settings: Settings):
    from nlp.analyze import Analyzer
    from nlp.config import PipelineConfig
    return Analyzer(PipelineConfig(trained_models=dict(settings.spacy_models)))


def _link_config(settings: Settings):
    from graph.link_config import LinkConfig
    cfg = LinkConfig()
    if settings.embedding_model:
        cfg.embedding_model = settings.embedding_model
    if settings.embedding_precision:
        cfg.embedding_precision = settings.embedding_precision
    if settings.rates_file:
        cfg.rates_file = settings.rates_file
    return cfg


# -- writing jobs ---------------------------------------------------------------

def ingest_job(settings: Settings, paths: list[Path], progress: Progress | None = None,
               link: bool = False) -> JobResult:
    progress = progress or pipeline._no_progress
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(map(str, missing))}")
    started = time.monotonic()
    result = JobResult("ingest")
    conn = record(settings)
    with job_lock(settings.db):
        ing = pipeline.ingest_paths(conn, [Path(p) for p in paths],
                                    max_bytes=settings.max_file_bytes, progress=progress)
        ana = pipeline.analyze_pending(conn, _analyzer(settings), progress=progress)
        result.stages.update(ingest=ing, analyze=ana)
        result.failures = ing.failures + ana.failures
        if link:
            _link(conn, settings, progress, result.stages)
    return _finished(result, conn, started)


def crawl_job(settings: Settings, urls: list[str], sources_file: Path | None, since: str | None,
              max_pages: int | None, allow_private: bool, progress: Progress | None = None,
              link: bool = False, feeds: list[str] = (), sitemaps: list[str] = ()) -> JobResult:
    """Crawl a sources TOML and/or ad-hoc article URLs, feeds and sitemaps; store and analyze."""
    import dataclasses

    from ingest.crawl import CrawlOptions, crawl
    from ingest.fetch import FetchConfig, Fetcher
    from ingest.sources import SourcesError, load_sources, specs_for_urls

    progress = progress or pipeline._no_progress
    try:
        cfg = load_sources(sources_file) if sources_file else None
        specs = (cfg.sources if cfg else []) + specs_for_urls(urls, allow_private=allow_private)
        specs += _listing_specs(feeds, "feeds", allow_private) + _listing_specs(sitemaps, "sitemaps", allow_private)
    except SourcesError as exc:
        raise ConfigError(str(exc)) from exc
    fetch_cfg = cfg.fetch if cfg else FetchConfig()
    if allow_private:
        fetch_cfg = dataclasses.replace(fetch_cfg, allow_private=True)
    options = cfg.crawl if cfg else CrawlOptions()
    started = time.monotonic()
    result = JobResult("crawl")
    conn = record(settings)
    with job_lock(settings.db), Fetcher(fetch_cfg) as fetcher:
        report = crawl(conn, specs, fetcher,
                       on_document=lambda doc: pipeline.store_documents(conn, [doc]),
                       max_pages=max_pages, since=since, progress=progress, options=options)
        ana = pipeline.analyze_pending(conn, _analyzer(settings), progress=progress)
        result.stages.update(crawl=report, analyze=ana)
        # Single pages fail every night (404s, timeouts) and are retried later: they are
        # in the crawl report. The job fails only when every source failed.
        result.failures = _failed_sources(report) + ana.failures
        if link:
            _link(conn, settings, progress, result.stages)
    return _finished(result, conn, started)


def _finished(result: JobResult, conn: sqlite3.Connection, started: float) -> JobResult:
    """The job's result with the record's summary and the job's duration; closes `conn`."""
    result.summary = summarize(conn)
    result.seconds = time.monotonic() - started
    conn.close()
    return result


def _listing_specs(urls, kind: str, allow_private: bool) -> list:
    """Ad-hoc feeds or sitemaps as sources, one per URL (named by its domain)."""
    from ingest.sources import SourcesError
    from ingest.types import SourceSpec
    from ingest.urls import registered_domain

    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise SourcesError(f"{url!r} is not an http:// or https:// URL")
    return [SourceSpec(name=f"{registered_domain(u) or u} ({kind[:-1]} {i + 1})", allow_private=allow_private,
                       **{kind: [u]}) for i, u in enumerate(urls)]


def _failed_sources(report) -> list[Failure]:
    """One failure per source when no source produced anything but failures."""
    per = report.per_source
    if not per or any(c.fetched or c.unchanged or c.skipped_robots or c.skipped_old or c.duplicates
                      for c in per.values()):
        return []
    return [Failure(input=name, reason="source_failed",
                    message=f"every URL of this source failed ({dict(c.failed)}); check its feeds/URLs "
                            "and the crawl report")
            for name, c in per.items()]


def _link(conn, settings: Settings, progress: Progress, stages: dict) -> None:
    """Cross-article linking, then the lookup's claim vectors (same embedder, same cache)."""
    from graph.embeddings import Embedder
    from graph.link import link_record
    from queries.claim_embeddings import index_claim_embeddings

    config = _link_config(settings)
    embedder = Embedder(config.embedding_model, precision=config.embedding_precision)
    stages["link"] = link_record(conn, config, progress=progress, embedder=embedder)
    indexed = index_claim_embeddings(conn, embedder, progress=lambda done, total: progress("index", done, total))
    stages["index"] = {"claims_indexed": indexed}


def link_job(settings: Settings, progress: Progress | None = None) -> JobResult:
    started = time.monotonic()
    result = JobResult("link")
    conn = record(settings)
    with job_lock(settings.db):
        _link(conn, settings, progress or pipeline._no_progress, result.stages)
    return _finished(result, conn, started)


def sync_job(settings: Settings, uri: str | None = None, progress: Progress | None = None) -> JobResult:
    from graph.projection import sync_record

    started = time.monotonic()
    result = JobResult("sync")
    conn = record(settings)
    driver = neo4j_driver(settings, uri)
    try:
        result.stages["sync"] = sync_record(conn, driver, database=settings.neo4j_database,
                                            progress=progress)
    finally:
        driver.close()
        conn.close()
    result.seconds = time.monotonic() - started
    return result


def run_job(settings: Settings, inputs: list[Path], sources_file: Path | None = None,
            since: str | None = None, max_pages: int | None = None, allow_private: bool = False,
            progress: Progress | None = None) -> JobResult:
    """The main job: ingest local inputs and/or crawl sources, analyze, link, optionally sync."""
    started = time.monotonic()
    result = JobResult("run")
    if inputs:
        part = ingest_job(settings, inputs, progress=progress)
        result.stages.update(part.stages)
        result.failures += part.failures
    if sources_file:
        part = crawl_job(settings, [], sources_file, since, max_pages, allow_private, progress=progress)
        result.stages.update(part.stages)
        result.failures += part.failures
    result.stages.update(link_job(settings, progress=progress).stages)
    if settings.neo4j_uri:
        result.stages.update(sync_job(settings, progress=progress).stages)
    return _finished(result, record(settings), started)


# -- single documents -----------------------------------------------------------

def read_input_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder; `claims extract` takes one file (use `ingest` for folders)") from None


def extract_claims(data: bytes, name: str, lang: str | None, settings: Settings):
    """Claims of one document given as bytes (HTML or text); nothing is stored."""
    from ingest.files import document_from_bytes
    from ingest.types import InputError

    try:
        doc = document_from_bytes(data, name=name, max_bytes=settings.max_file_bytes)
    except InputError as exc:
        raise ConfigError(exc.message) from exc
    analysis = _analyzer(settings).analyze(doc.text, lang=lang, lang_hint=doc.language)
    return analysis.claims


# -- reading jobs -----------------------------------------------------------------

def summary_of(settings: Settings) -> dict:
    conn = record(settings)
    try:
        return summarize(conn)
    finally:
        conn.close()


FLAG_KINDS = ("contradiction", "corroboration", "change_over_time", "copy", "ai_generated", "hedged")


def list_flags(settings: Settings, kind: str | None = None, limit: int = 100) -> list[dict]:
    if kind and kind not in FLAG_KINDS:     # a typo would otherwise look like "no such flags"
        raise ConfigError(f"no flag kind {kind!r}; the kinds are: {', '.join(FLAG_KINDS)}")
    conn = record(settings)
    try:
        sql = """SELECT f.*, ca.sentence AS sentence_a, cb.sentence AS sentence_b,
                        sa.name AS source_a, sb.name AS source_b,
                        aa.published AS published_a, ab.published AS published_b
                 FROM flags f
                 LEFT JOIN claims ca ON ca.id = f.claim_a
                 LEFT JOIN claims cb ON cb.id = f.claim_b
                 LEFT JOIN articles aa ON aa.id = COALESCE(f.article_a, ca.article_id)
                 LEFT JOIN articles ab ON ab.id = COALESCE(f.article_b, cb.article_id)
                 LEFT JOIN sources sa ON sa.id = aa.source_id
                 LEFT JOIN sources sb ON sb.id = ab.source_id"""
        params: list = []
        if kind:
            sql += " WHERE f.kind = ?"
            params.append(kind)
        sql += " ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, f.kind, f.id LIMIT ?"
        params.append(limit)
        rows = []
        for r in conn.execute(sql, params):
            d = dict(r)
            d["data"] = json.loads(d["data"] or "{}")
            rows.append(d)
        return rows
    finally:
        conn.close()


def lookup(settings: Settings, text: str, limit: int = 10, uri: str | None = None):
    from queries.lookup import lookup as lookup_embedded, lookup_neo4j
    from graph.embeddings import Embedder

    embedder = Embedder(_link_config(settings).embedding_model)
    if uri:
        driver = neo4j_driver(settings, uri)
        try:
            return lookup_neo4j(driver, text, limit=limit, embedder=embedder,
                                database=settings.neo4j_database)
        finally:
            driver.close()
    conn = record(settings)
    try:
        return lookup_embedded(conn, text, limit=limit, embedder=embedder)
    finally:
        conn.close()


def list_named_queries() -> list[dict]:
    from queries.library import list_queries
    return [{"name": q.name, "description": q.description, "params": ", ".join(q.params)}
            for q in list_queries()]


def run_named_query(settings: Settings, name: str | None, cypher: str | None, params: list[str],
                    uri: str | None = None) -> list[dict]:
    from queries.library import QueryError, bind_params, get_query, parse_params, run_cypher, run_query

    try:
        values = parse_params(params)
        if not cypher:
            bind_params(get_query(name), values)    # a wrong name or parameter is told before connecting
        driver = neo4j_driver(settings, uri)
        try:
            if cypher:
                return run_cypher(driver, cypher, values, database=settings.neo4j_database)
            return run_query(driver, name, values, database=settings.neo4j_database)
        finally:
            driver.close()
    except QueryError as exc:
        raise ConfigError(str(exc)) from exc


def show(settings: Settings, ident: str, out: Path) -> Path:
    from queries.show import ShowError, render_fact
    conn = record(settings)
    try:
        return render_fact(conn, ident, out)
    except ShowError as exc:
        raise ConfigError(str(exc)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot write {out}: {exc.strerror or exc}; choose another --out path") from exc
    finally:
        conn.close()


# -- local Neo4j ----------------------------------------------------------------

def neo4j_start(data: Path, port: int) -> str:
    from graph import neo4j_local
    neo4j_local.ensure_built()
    return neo4j_local.start(data, port=port).uri


def neo4j_stop(data: Path) -> bool:
    from graph import neo4j_local
    return neo4j_local.stop(data)


def neo4j_status(data: Path) -> dict | None:
    from graph import neo4j_local
    return neo4j_local.status(data)
