"""Batched, idempotent MERGE of nodes and relationships into Neo4j.

Why this shape: one `UNWIND $rows` statement per batch keeps a sync of many
thousand claims to a few round trips, MERGE on the node key makes re-running a
sync harmless, and managed write transactions (`session.execute_write`) retry
transient failures. Labels, relationship types and key names cannot be Cypher
parameters, so they are checked against a strict pattern before they become
part of the statement; every value travels as a parameter.

Rows:
- nodes: either {key: value, "props": {...}} or a flat property dict that
  contains the key (all other entries become properties);
- relationships: {"start": start_id, "end": end_id, "props": {...}}; endpoints
  are matched by `id` on the given labels and must exist already.
`SET n += props` updates the given properties and removes those set to None.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping

import neo4j.spatial
import neo4j.time

NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z_]*$")
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SCALAR_TYPES = (str, bool, int, float, bytes, bytearray, dt.date, dt.datetime, dt.time, dt.timedelta,
                neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time, neo4j.time.Duration, neo4j.spatial.Point)


def merge_nodes(driver, label: str, rows: Iterable[Mapping], key: str = "id", batch_size: int = 5000,
                database: str | None = None) -> int:
    """MERGE (n:label {key}) for every row and set its properties; returns the rows written."""
    _check_name(label, "label")
    _check_key(key)
    query = (
        f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.key}}) SET n += row.props "
        "RETURN count(n) AS written"
    )
    prepared = (_node_row(label, key, row) for row in rows)
    return _run_batches(driver, query, prepared, batch_size, database)


def merge_relationships(driver, rel_type: str, start_label: str, end_label: str, rows: Iterable[Mapping],
                        batch_size: int = 5000, database: str | None = None) -> int:
    """MERGE (start)-[:rel_type]->(end) for every row whose endpoints exist; returns how many did.

    A return value below the number of rows means some endpoints were missing:
    write the nodes first.
    """
    _check_name(rel_type, "relationship type")
    _check_name(start_label, "label")
    _check_name(end_label, "label")
    query = (
        f"UNWIND $rows AS row "
        f"MATCH (a:{start_label} {{id: row.start}}) "
        f"MATCH (b:{end_label} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel_type}]->(b) SET r += row.props "
        "RETURN count(r) AS written"
    )
    prepared = (_rel_row(rel_type, row) for row in rows)
    return _run_batches(driver, query, prepared, batch_size, database)


def _run_batches(driver, query: str, rows: Iterator[dict], batch_size: int, database: str | None) -> int:
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")

    def write(tx, batch):
        return tx.run(query, rows=batch).single()["written"]

    written = 0
    with driver.session(database=database) as session:
        for batch in _batches(rows, batch_size):
            written += session.execute_write(write, batch)
    return written


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _node_row(label: str, key: str, row: Mapping) -> dict:
    if key not in row or row[key] is None:
        raise ValueError(f"{label} row without a {key!r}: {dict(row)!r}")
    if set(row) == {key, "props"}:
        props = dict(row["props"] or {})
    else:
        props = {name: value for name, value in row.items() if name != key}
    _check_props(props, f"{label} {row[key]!r}")
    return {"key": row[key], "props": props}


def _rel_row(rel_type: str, row: Mapping) -> dict:
    if row.get("start") is None or row.get("end") is None:
        raise ValueError(f"{rel_type} row needs 'start' and 'end' ids: {dict(row)!r}")
    props = dict(row.get("props") or {})
    _check_props(props, f"{rel_type} {row['start']!r}->{row['end']!r}")
    return {"start": row["start"], "end": row["end"], "props": props}


def _check_props(props: dict, where: str) -> None:
    """Neo4j stores scalars and homogeneous lists of scalars only; say which property is wrong."""
    for name, value in props.items():
        if not isinstance(name, str) or not KEY_PATTERN.match(name):
            raise ValueError(f"{where}: property name {name!r} is not a plain identifier")
        if value is None or isinstance(value, SCALAR_TYPES):
            continue
        if isinstance(value, (list, tuple)) and _homogeneous(value):
            continue
        raise ValueError(
            f"{where}: property {name!r} has a value Neo4j cannot store ({type(value).__name__}); "
            "use a scalar or a list of one scalar type (serialize nested data to JSON text)"
        )


def _homogeneous(values) -> bool:
    """One scalar type throughout; ints and floats mix (Neo4j stores them as floats)."""
    types = {float if type(v) is int else type(v) for v in values}
    return len(types) <= 1 and all(isinstance(v, SCALAR_TYPES) for v in values)


def _check_name(name: str, kind: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ValueError(f"invalid {kind} {name!r}: must match {NAME_PATTERN.pattern}")


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise ValueError(f"invalid key property {key!r}: must match {KEY_PATTERN.pattern}")
