"""The wiring of the stages: inputs -> record -> NLP -> linking -> Neo4j.

Each function is one stage over the record and returns a plain report. They are
safe to interrupt and re-run: documents are stored one transaction each, the
NLP stage only picks up articles whose current text has no analysis yet, and
linking and the Neo4j sync are idempotent over the record.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from graph import store
from ingest.files import iter_inputs, load_file
from ingest.types import Document, InputError, InputFailure

if TYPE_CHECKING:
    # spaCy is imported only where the NLP runs: importing this module (and the CLI) stays
    # light, which matters for the crawl's extraction workers ("spawn" re-imports the
    # program's main module, the CLI, in every worker)
    from nlp.analyze import Analyzer

Progress = Callable[[str, int, int | None], None]  # (stage, done, total)


def _no_progress(stage: str, done: int, total: int | None) -> None:
    pass


Failure = InputFailure  # one failed input: which, why (machine key), what to do (message)


@dataclass
class IngestReport:
    seen: int = 0
    new_or_changed: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)


@dataclass
class AnalyzeReport:
    analyzed: int = 0
    again: int = 0              # of `analyzed`: unchanged text, analyzed before by other NLP rules
    claims: int = 0
    mentions: int = 0
    failures: list[Failure] = field(default_factory=list)


def store_documents(conn: sqlite3.Connection, docs: Iterable[Document | Failure],
                    report: IngestReport | None = None) -> IngestReport:
    """Store documents (and remember failures) one transaction each."""
    report = report or IngestReport()
    for item in docs:
        report.seen += 1
        if isinstance(item, Failure):
            store.record_failure(conn, item.input, item.reason, item.message)
            report.failures.append(item)
            continue
        _, needs_analysis = store.save_document(conn, item)
        if needs_analysis:
            report.new_or_changed += 1
        else:
            report.unchanged += 1
    return report


def read_paths(paths: list[Path], max_bytes: int) -> Iterable[Document | Failure]:
    """Local HTML and text files and folders, no network; bad files become Failures."""
    for path in iter_inputs(paths):
        try:
            yield load_file(path, max_bytes=max_bytes)
        except InputError as exc:
            yield exc.failure


def ingest_paths(conn: sqlite3.Connection, paths: list[Path], *, max_bytes: int,
                 progress: Progress = _no_progress) -> IngestReport:
    report = IngestReport()
    for done, item in enumerate(read_paths(paths, max_bytes), start=1):
        store_documents(conn, [item], report)
        progress("ingest", done, None)
    return report


def analyze_pending(conn: sqlite3.Connection, analyzer: Analyzer,
                    progress: Progress = _no_progress) -> AnalyzeReport:
    """Run the NLP stage on every article whose current text is not analyzed yet, or was analyzed
    by other NLP rules (an upgrade, an edited cue list: see nlp.config.rules_signature)."""
    report = AnalyzeReport()
    pending = store.pending_articles(conn, analyzer.rules)
    for done, row in enumerate(pending, start=1):
        try:
            analysis = analyzer.analyze(row["text"], lang_hint=row["language"])
        except Exception as exc:  # one bad article never stops the job
            message = f"NLP failed: {type(exc).__name__}: {exc}"
            store.mark_article_failed(conn, row["id"], message)
            report.failures.append(Failure(input=row["id"], reason="nlp_error", message=message))
            continue
        store.save_analysis(conn, row["id"], row["content_hash"], analysis, analyzer.rules)
        report.analyzed += 1
        report.again += bool(row["stale_rules"])
        report.claims += len(analysis.claims)
        report.mentions += len(analysis.mentions)
        progress("analyze", done, len(pending))
    return report
