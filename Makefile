# newsgraph: two commands set everything up on a fresh machine.
#   make run    the main job on the bundled samples (embedded SQLite record; syncs to Neo4j when NEO4J_URI is set)
#   make test   the test suite against a real, locally started Neo4j
# Every target installs what it needs, idempotently (stamp files), and is quick the second time.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.newsgraph-installed
NEO4J_SERVER := graph/neo4j_server
NEO4J_BUILT  := $(NEO4J_SERVER)/target/.newsgraph-build-stamp
DB     ?= .newsgraph/record.db
NEO4J_DATA ?= .newsgraph/neo4j

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test bench neo4j neo4j-stop neo4j-status neo4j-build clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

neo4j-build: $(NEO4J_BUILT)

$(NEO4J_BUILT): $(STAMP) $(NEO4J_SERVER)/pom.xml $(wildcard $(NEO4J_SERVER)/src/main/java/newsgraph/*.java)
	$(PY) -m graph.neo4j_local build

# A local Neo4j 5 LTS (embedded, Bolt on 127.0.0.1:7687, data in $(NEO4J_DATA)).
neo4j: $(NEO4J_BUILT)
	$(PY) -m graph.neo4j_local start --data $(NEO4J_DATA) --port $(or $(NEO4J_PORT),7687)

neo4j-stop: $(STAMP)
	$(PY) -m graph.neo4j_local stop --data $(NEO4J_DATA)

neo4j-status: $(STAMP)
	$(PY) -m graph.neo4j_local status --data $(NEO4J_DATA)

# The main job on the bundled sample corpus. NEO4J_URI=bolt://... also syncs the graph.
run: $(STAMP)
	$(VENV)/bin/newsgraph --db $(DB) run samples/articles $(if $(NEO4J_URI),--neo4j $(NEO4J_URI),)

test: $(STAMP) $(NEO4J_BUILT)
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP) $(NEO4J_BUILT)
	$(PY) -m bench.run

clean:
	rm -rf .newsgraph $(NEO4J_SERVER)/target .pytest_cache
