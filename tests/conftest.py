"""Shared pytest fixtures: a real Neo4j for graph tests, and the ../shared directory.

Neo4j: one embedded server (graph/neo4j_server) per test session on a free
127.0.0.1 port in a temporary directory, stopped at the end. Set NEWSGRAPH_TEST_NEO4J_URI
(plus NEO4J_USER/NEO4J_PASSWORD) to run against an existing server instead;
`clean_neo4j` deletes every node there, so point it only at a disposable one.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from graph import neo4j_local


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data directory beside the checkout (../shared); skips when absent."""
    path = Path(__file__).resolve().parents[2] / "shared"
    if not path.is_dir():
        pytest.skip(f"shared data directory {path} is absent")
    return path


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory):
    """Bolt URI of a real Neo4j: NEWSGRAPH_TEST_NEO4J_URI if set, else a local server for this session."""
    if os.environ.get("NEWSGRAPH_TEST_NEO4J_URI"):
        yield os.environ["NEWSGRAPH_TEST_NEO4J_URI"]
        return
    missing = [tool for tool in ("java", "mvn") if not shutil.which(tool)]
    if missing and not neo4j_local.is_built():
        # In CI the Neo4j tests must run, never skip: a missing toolchain is a failure there.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{' and '.join(missing)} not installed: cannot build the local Neo4j "
                    "(install openjdk-17-jdk-headless and maven, or set NEWSGRAPH_TEST_NEO4J_URI)")
    neo4j_local.ensure_built()
    data_dir = tmp_path_factory.mktemp("neo4j")
    # owned by this process: a test run killed with SIGKILL leaves no server running
    server = neo4j_local.start(data_dir, owner_pid=os.getpid())
    try:
        yield server.uri
    finally:
        neo4j_local.stop(data_dir)


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri):
    import neo4j

    driver = neo4j.GraphDatabase.driver(neo4j_uri, auth=neo4j_local.auth_from_env())
    driver.verify_connectivity()
    yield driver
    driver.close()


@pytest.fixture
def clean_neo4j(neo4j_driver):
    """The session driver on an empty graph (all nodes and relationships deleted first)."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    return neo4j_driver


SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "articles"


def build_samples_record(path: Path, articles: list[Path] | None = None, embedder=None):
    """A record of the sample corpus (or of some of its articles): ingested, analyzed, linked, indexed."""
    from graph.embeddings import Embedder
    from graph.link import link_record
    from graph.link_config import LinkConfig
    from graph.record import open_record
    from newsgraph import pipeline
    from nlp.analyze import Analyzer
    from queries.claim_embeddings import index_claim_embeddings

    articles = articles or sorted(SAMPLES.glob("*.html"))
    conn = open_record(path)
    ingest = pipeline.ingest_paths(conn, articles, max_bytes=20_000_000)
    assert ingest.new_or_changed == len(articles) and not ingest.failures
    analyzed = pipeline.analyze_pending(conn, Analyzer())
    assert analyzed.claims > 0 and not analyzed.failures
    config = LinkConfig()
    embedder = embedder or Embedder(config.embedding_model)
    link_record(conn, config, embedder=embedder)
    index_claim_embeddings(conn, embedder)
    return conn, embedder


@pytest.fixture(scope="session")
def samples_record(tmp_path_factory):
    """The whole sample corpus through the pipeline: (connection, embedder). Read-only for tests."""
    return build_samples_record(tmp_path_factory.mktemp("samples") / "record.db")
