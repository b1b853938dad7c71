"""The floor: trafilatura alone, `trafilatura.extract` on every corpus page, pages per second.

Why this is the floor: the per-article pipeline cannot be faster than its first
step, so its speed is judged as a share of this figure (target ≥ 60 %). Pages are
read into memory first; each timed pass extracts every page once, with
trafilatura's defaults, from the page's bytes (so decoding is included, as in the
pipeline).
"""
from __future__ import annotations

from bench.context import StageContext
from bench.corpus import load_pages, read_all, spread
from bench.figures import figure
from bench.measure import median, per_second, repeat


def run(ctx: StageContext) -> dict:
    import trafilatura

    pages = spread(load_pages(ctx.corpus_path()), ctx.pages)
    data = read_all(pages)

    def one_pass() -> int:
        return sum(1 for html in data if trafilatura.extract(html))

    warm = data[: min(10, len(data))]
    durations, with_text = repeat(one_pass, ctx.repeats,
                                  warmup=lambda: [trafilatura.extract(h) for h in warm])
    seconds = median(durations)
    return {
        "figures": [figure("extract_floor.pages_per_s", "trafilatura.extract alone (floor)",
                           per_second(len(pages), seconds), "pages/s",
                           detail={"pages": len(pages), "pages_with_text": with_text,
                                   "mbytes": round(sum(map(len, data)) / 1e6, 1),
                                   "pass_seconds": [round(d, 3) for d in durations]})],
        "info": {"pages": len(pages), "trafilatura": trafilatura.__version__},
    }
