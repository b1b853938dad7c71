"""The stages of `make bench`, in the order they run, and what each one needs.

A table rather than code paths: `--only` selects rows, the harness skips rows
whose needs (corpus, Neo4j) are not met, and a new figure is one new row plus
one module under `bench/stages/`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StageSpec:
    name: str               # module bench.stages.<name>, and the --only key
    title: str
    needs_corpus: bool      # skipped (with the reason) when ../shared/corpus is absent
    neo4j: str              # "": no Neo4j; "optional": its Neo4j parts are skipped without one;
                            # "required": the stage is skipped without one (the harness starts one)
    timeout: int            # seconds before the harness stops the stage (full run)
    quick_timeout: int = 240


STAGES: tuple[StageSpec, ...] = (
    StageSpec("extract_floor", "main-text extraction, trafilatura alone (the floor)", True, "", 900),
    StageSpec("pipeline", "per-article pipeline: extract, NLP, claims, record", True, "", 1200),
    StageSpec("pipeline_workers", "per-article pipeline, 1 vs 2 worker processes", True, "", 900),
    StageSpec("claims", "claims from extracted text, one core", True, "", 600),
    StageSpec("embeddings", "claim embeddings, cold then cached", False, "", 900),
    StageSpec("crawl", "crawl of the corpus from a local HTTP server", True, "", 900),
    StageSpec("linking", "linking and flagging of synthetic claim sets", False, "", 1800),
    StageSpec("neo4j_sync", "record -> Neo4j sync, batched vs naive", False, "required", 1200),
    StageSpec("lookup", "lookup latency, embedded and through Neo4j", False, "optional", 4800),
)

BY_NAME = {s.name: s for s in STAGES}


def select(only: str | None) -> list[StageSpec]:
    """The stages named in a comma-separated `--only` (all when None), in run order."""
    if not only:
        return list(STAGES)
    names = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    return [s for s in STAGES if s.name in names]
