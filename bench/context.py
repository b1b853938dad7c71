"""What every stage is told: mode, where the corpus and scratch space are, which Neo4j.

A plain dataclass written to JSON by the harness and read back in the stage's
subprocess, so that a stage can also be run alone for debugging:
`python -m bench.child STAGE CONTEXT.json RESULT.json`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class StageContext:
    quick: bool = False
    shared: str | None = None          # the shared folder (../shared), if any
    corpus: str | None = None          # shared/corpus when it holds manifest + html, else None
    workdir: str = "."                 # scratch space shared by the stages of one run
    neo4j_uri: str | None = None       # Bolt URI of the Neo4j for the Neo4j stages
    neo4j_database: str | None = None
    neo4j_pid: int | None = None       # pid of the local server the harness started (for its memory)
    pages: int | None = None           # corpus pages to use (None: all)
    repeats: int = 3                   # timed repeats after one warm-up
    max_claims: int | None = None      # cap on the synthetic claim levels (None: full)
    seed: int = 7
    level_budget: float | None = 1200.0  # seconds a linking level may be expected to take (None: any)
    neo4j_max_claims: int = 100_000    # largest lookup level also searched through Neo4j (its sync is slow)

    @property
    def work(self) -> Path:
        return Path(self.workdir)

    def corpus_path(self) -> Path | None:
        return Path(self.corpus) if self.corpus else None

    def levels(self, sizes: list[int]) -> list[int]:
        """A stage's claim-set sizes, capped at --max-claims (duplicates after capping dropped)."""
        if self.max_claims is None:
            return list(sizes)
        return sorted({min(n, self.max_claims) for n in sizes})

    def save_partial(self, stage: str, result: dict) -> None:
        """Write what a stage has measured so far; the harness keeps it if the stage dies later."""
        path = self.work / f"{stage}.partial.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, ensure_ascii=False, default=str))
        tmp.replace(path)

    def dump(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path) -> "StageContext":
        return cls(**json.loads(Path(path).read_text()))
