"""Claims from already-extracted text, on one core: articles per second.

The texts are the corpus pages as the pipeline extracted them (work/extracted.jsonl
from the `pipeline` stage, else extracted here before timing). Timed: the
Analyzer (language, sentences, entities, quantities, claims, attribution) over
every text, with the process pinned to one CPU. Corpus articles differ in length,
so the target (≥ 100 articles of ~600 words per second) is checked on words per
second ÷ 600; the raw articles per second are reported beside it.
"""
from __future__ import annotations

import re

from bench.context import StageContext
from bench.corpus import load_pages, page_url, spread
from bench.figures import figure, target
from bench.measure import median, one_core, per_second, repeat
from bench.records import load_extracted

ARTICLE_WORDS = 600
_WORD = re.compile(r"\w+")


def extracted_texts(ctx: StageContext) -> list[dict]:
    saved = load_extracted(ctx.work)
    if saved:
        return saved
    from ingest.extract import extract_document
    from ingest.types import InputError
    texts = []
    for page in spread(load_pages(ctx.corpus_path()), ctx.pages):
        try:
            doc = extract_document(page.path.read_bytes(), page_url(page))
        except InputError:
            continue
        texts.append({"id": page.file, "lang": doc.language, "text": doc.text})
    return texts


def run(ctx: StageContext) -> dict:
    from nlp.analyze import Analyzer
    from nlp.config import PipelineConfig

    texts = extracted_texts(ctx)
    words = sum(len(_WORD.findall(t["text"])) for t in texts)
    analyzer = Analyzer(PipelineConfig())

    def one_pass() -> int:
        return sum(len(analyzer.analyze(t["text"], lang_hint=t["lang"]).claims) for t in texts)

    with one_core() as cpu:
        durations, claims = repeat(one_pass, ctx.repeats,
                                   warmup=lambda: [analyzer.analyze(t["text"], lang_hint=t["lang"])
                                                   for t in texts[:5]])
    seconds = median(durations)
    words_per_s = per_second(words, seconds)
    return {
        "figures": [
            figure("claims.articles600_per_s", f"claims from text, {ARTICLE_WORDS}-word articles, 1 core",
                   words_per_s / ARTICLE_WORDS, "articles/s",
                   target=target(">=", 100, "≥ 100"),
                   detail={"words_per_s": round(words_per_s), "cpu": cpu}),
            figure("claims.articles_per_s", "claims from text, corpus articles as they are, 1 core",
                   per_second(len(texts), seconds), "articles/s",
                   detail={"articles": len(texts), "mean_words": round(words / max(1, len(texts))),
                           "claims": claims, "pass_seconds": [round(d, 3) for d in durations]}),
        ],
        "info": {"articles": len(texts), "words": words, "claims": claims},
    }
