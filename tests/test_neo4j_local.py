"""The local embedded Neo4j: real server, real Bolt, real driver."""
from __future__ import annotations

import os
import shutil
import socket

import pytest

from graph import neo4j_local


def test_parameterized_write_then_read(clean_neo4j):
    def create(tx, rows):
        return tx.run(
            "UNWIND $rows AS row CREATE (c:Probe {id: row.id, value: row.value}) RETURN count(c) AS n",
            rows=rows,
        ).single()["n"]

    def read(tx, threshold):
        return [(r["id"], r["value"]) for r in tx.run(
            "MATCH (c:Probe) WHERE c.value > $threshold RETURN c.id AS id, c.value AS value ORDER BY id",
            threshold=threshold,
        )]

    rows = [{"id": "a", "value": 5.6}, {"id": "b", "value": 80.0}, {"id": "c", "value": 1.5}]
    with clean_neo4j.session() as session:
        assert session.execute_write(create, rows) == 3
        assert session.execute_read(read, 2.0) == [("a", 5.6), ("b", 80.0)]


def test_clean_fixture_leaves_an_empty_graph(clean_neo4j):
    records, _, _ = clean_neo4j.execute_query("MATCH (n) RETURN count(n) AS n")
    assert records[0]["n"] == 0


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="NEO4J_URI points at an external server")
def test_session_server_is_local_bolt(neo4j_uri):
    assert neo4j_uri.startswith("bolt://127.0.0.1:")


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="uses the local launcher, not NEO4J_URI")
def test_start_status_restart_and_stop_on_own_data_dir(neo4j_uri, tmp_path):
    """Lifecycle on a second data dir, so the session server stays up."""
    import neo4j

    data = tmp_path / "db"
    server = neo4j_local.start(data)
    try:
        info = neo4j_local.status(data)
        assert info is not None
        assert (info["uri"], info["pid"], info["port"]) == (server.uri, server.pid, server.port)
        assert info["bolt_listening"] is True
        assert (data / "logs" / "debug.log").exists()

        with neo4j.GraphDatabase.driver(server.uri, auth=neo4j_local.auth_from_env()) as driver:
            driver.execute_query("CREATE (:Marker {id: $id})", {"id": "kept"})

        again = neo4j_local.start(data)
        assert again == server

        # With its pid file gone, a second launcher on the same store must refuse the lock.
        pid_file, port_file = data / "neo4j.pid", data / "neo4j.port"
        saved = pid_file.read_text(), port_file.read_text()
        pid_file.unlink()
        with pytest.raises(neo4j_local.Neo4jLocalError, match="locked by another process"):
            neo4j_local.start(data)
        pid_file.write_text(saved[0])
        port_file.write_text(saved[1])
        assert neo4j_local.status(data)["pid"] == server.pid
    finally:
        stopped = neo4j_local.stop(data)

    assert stopped is True
    assert neo4j_local.status(data) is None
    assert not (data / "neo4j.pid").exists()
    assert neo4j_local.stop(data) is False
    assert "STOPPED" in (data / "neo4j.out").read_text()

    # The data survives a restart on another port.
    restarted = neo4j_local.start(data)
    try:
        assert restarted.pid != server.pid
        with neo4j.GraphDatabase.driver(restarted.uri, auth=neo4j_local.auth_from_env()) as driver:
            records, _, _ = driver.execute_query("MATCH (m:Marker) RETURN m.id AS id")
        assert [r["id"] for r in records] == ["kept"]
    finally:
        neo4j_local.stop(data)


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="uses the local launcher, not NEO4J_URI")
def test_start_on_a_taken_port_says_so(neo4j_uri, tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(neo4j_local.Neo4jLocalError, match="already in use"):
            neo4j_local.start(tmp_path / "db", port=port)
    assert neo4j_local.status(tmp_path / "db") is None


@pytest.mark.skipif(not shutil.which("java") or not shutil.which("mvn"), reason="needs java and mvn")
def test_ensure_built_is_a_no_op_when_up_to_date():
    server_dir = neo4j_local.ensure_built()
    assert neo4j_local.is_built(server_dir)
    stamp = server_dir / neo4j_local.BUILD_STAMP
    before = stamp.stat().st_mtime
    neo4j_local.ensure_built(server_dir)
    assert stamp.stat().st_mtime == before


@pytest.mark.skipif(not shutil.which("java"), reason="needs java")
def test_java_version_parsing_of_the_installed_java():
    java = neo4j_local.find_java()
    assert neo4j_local.java_major_version(java) >= neo4j_local.MIN_JAVA


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="uses the local launcher, not NEO4J_URI")
def test_server_stops_when_its_owner_is_killed(neo4j_uri, tmp_path):
    """A server started with owner_pid shuts down cleanly once that process dies, even by SIGKILL
    (which runs no teardown), and the data dir can be started again."""
    import signal
    import subprocess
    import sys
    import time

    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    data = tmp_path / "owned"
    try:
        server = neo4j_local.start(data, owner_pid=owner.pid)
        assert neo4j_local.status(data)["bolt_listening"] is True
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 90
    while neo4j_local.status(data) is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert neo4j_local.status(data) is None, f"server {server.pid} outlived its owner"
    assert "OWNER GONE" in (data / "neo4j.out").read_text()
    neo4j_local.start(data)
    try:
        assert neo4j_local.status(data)["bolt_listening"] is True
    finally:
        neo4j_local.stop(data)
