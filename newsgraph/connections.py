"""Opening the record and the Neo4j driver from Settings, with errors that say what to do."""
from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from graph.record import RecordError, open_record
from newsgraph.config import ConfigError, Settings


def record(settings: Settings) -> sqlite3.Connection:
    try:
        return open_record(settings.db)
    except RecordError as exc:
        raise ConfigError(str(exc)) from exc


def neo4j_driver(settings: Settings, uri: str | None = None):
    """A verified driver for `uri` (or settings.neo4j_uri)."""
    import neo4j
    from neo4j.exceptions import AuthError, ServiceUnavailable

    uri = uri or settings.neo4j_uri
    if not uri:
        raise ConfigError(
            "no Neo4j to talk to: pass --neo4j bolt://HOST:PORT or set NEO4J_URI "
            "(start a local one with `make neo4j` or `newsgraph neo4j start`)"
        )
    auth = (settings.neo4j_user or "neo4j", settings.neo4j_password) if settings.neo4j_password else None
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=auth)
        driver.verify_connectivity()
    except AuthError as exc:
        raise ConfigError(f"Neo4j at {uri} refused the credentials: set NEO4J_USER and NEO4J_PASSWORD ({exc.message})") from exc
    except (ServiceUnavailable, OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot reach Neo4j at {uri}: {exc}. Is it running? `make neo4j` starts a local one; "
            "check NEO4J_URI."
        ) from exc
    return driver


class JobLocked(Exception):
    pass


@contextmanager
def job_lock(db: Path) -> Iterator[None]:
    """Keep two writing jobs (e.g. two nightly runs) off the same record.

    An OS file lock next to the record: it is released when the process ends,
    even by kill -9, so a crashed run never leaves a stale lock behind.
    """
    lock_path = Path(str(db) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise JobLocked(
            f"another newsgraph job ({holder}) is writing {db}; wait for it to finish "
            "or point --db at another record"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
