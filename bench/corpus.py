"""The shared HTML corpus (`../shared/corpus`): where it is, which pages, and their bytes.

Why a module: several figures (extraction floor, pipeline, claims, crawl) read the
same pages, and each must say "skipped: corpus absent" the same way when a fresh
clone has no `../shared` beside it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"


@dataclass(frozen=True)
class Page:
    file: str
    url: str | None     # original URL; None for the few pages the manifest has none for
    lang: str | None
    bytes: int
    path: Path


def corpus_dir(shared: Path | None) -> Path | None:
    """`shared/corpus` when it holds a manifest and the html folder, else None."""
    if shared is None:
        return None
    corpus = Path(shared) / "corpus"
    if (corpus / "manifest.tsv").is_file() and (corpus / "html").is_dir():
        return corpus
    return None


def absent_reason(shared: Path | None) -> str:
    return (f"corpus not found at {Path(shared) / 'corpus' if shared else '(no shared folder)'}: "
            "put the shared folder beside the checkout (../shared) or pass --shared PATH")


def load_pages(corpus: Path, limit: int | None = None) -> list[Page]:
    """Pages of the manifest in its order (files that are missing on disk are left out)."""
    pages: list[Page] = []
    with open(corpus / "manifest.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            path = corpus / "html" / row["file"]
            if not path.is_file():
                continue
            pages.append(Page(file=row["file"], url=(row.get("url") or "").strip() or None,
                              lang=(row.get("lang") or "").strip() or None,
                              bytes=int(row.get("bytes") or path.stat().st_size), path=path))
            if limit is not None and len(pages) >= limit:
                break
    return pages


def spread(pages: list[Page], n: int | None) -> list[Page]:
    """`n` pages spread evenly over the manifest (not just its first rows), all when n is None."""
    if n is None or n >= len(pages):
        return list(pages)
    step = len(pages) / n
    return [pages[int(i * step)] for i in range(n)]


def read_all(pages: list[Page]) -> list[bytes]:
    """Every page's bytes, read before timing so that disk reads are not measured."""
    return [p.path.read_bytes() for p in pages]


def page_url(page: Page) -> str:
    """The page's URL, or a stable file-based one when the manifest has none."""
    return page.url or f"https://corpus.invalid/{page.file}"
