"""Scratch records for the stages: fresh SQLite files in the run's work folder.

Why fresh files: the pipeline skips articles it has already analyzed, so every
timed pass must start from an empty record; the extracted texts of the pipeline
run are kept beside it (`extracted.jsonl`) so the claims figure can reuse them
without extracting the corpus a second time.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

from graph.record import open_record

_counter = itertools.count()
EXTRACTED = "extracted.jsonl"
CLAIM_TEXTS = "claim_texts.jsonl"


def fresh_record(work: Path, name: str):
    """A new, empty record `work/<name>-<n>.db` (schema created, outside any timing)."""
    path = Path(work) / f"{name}-{next(_counter)}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return open_record(path), path


def save_extracted(work: Path, conn) -> int:
    """Write every article's text and language from `conn` to work/extracted.jsonl."""
    rows = conn.execute("SELECT id, language, text FROM articles ORDER BY id").fetchall()
    with open(Path(work) / EXTRACTED, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({"id": r["id"], "lang": r["language"], "text": r["text"]},
                                ensure_ascii=False) + "\n")
    return len(rows)


def load_extracted(work: Path) -> list[dict] | None:
    path = Path(work) / EXTRACTED
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def save_claim_texts(work: Path, conn) -> int:
    """Write the embedding text of every claim in `conn` to work/claim_texts.jsonl."""
    from bench.synthetic import claim_embedding_texts
    pairs = claim_embedding_texts(conn)
    with open(Path(work) / CLAIM_TEXTS, "w", encoding="utf-8") as fh:
        for _, text in pairs:
            fh.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    return len(pairs)


def load_claim_texts(work: Path) -> list[str] | None:
    path = Path(work) / CLAIM_TEXTS
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]
