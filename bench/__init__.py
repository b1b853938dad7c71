"""`make bench`: one reproducible run that measures every stage against its floor.

`python -m bench.run` is the entry point; `bench/README.md` says how each figure
is measured. Each figure lives in its own module under `bench/stages/` and runs
in its own subprocess so that its peak memory is its own.
"""
