"""Entry of one stage's subprocess: `python -m bench.child STAGE CONTEXT.json RESULT.json`.

Why a subprocess per stage: its peak memory (ru_maxrss) is then its own, models
loaded by one stage do not warm up the next, and a crash or a hang in one stage
costs only that stage's figures.
"""
from __future__ import annotations

import importlib
import json
import logging
import sys
import traceback
from pathlib import Path

from bench.context import StageContext
from bench.memory import peak_rss_self
from bench.registry import BY_NAME


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m bench.child STAGE CONTEXT.json RESULT.json", file=sys.stderr)
        return 2
    name, ctx_path, out_path = argv
    if name not in BY_NAME:
        print(f"unknown stage {name!r}; known: {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    ctx = StageContext.load(Path(ctx_path))
    # The driver logs every server notification (e.g. "property does not exist yet" on a
    # first sync) as a warning; they are not bench results.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        module = importlib.import_module(f"bench.stages.{name}")
        result = module.run(ctx)
        code = 0
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        code = 1
    # Peak RSS of this process in bytes (worker processes report theirs in the stage's info).
    result["peak_rss_self"] = peak_rss_self()
    Path(out_path).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    if code:
        print(result["traceback"], file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
