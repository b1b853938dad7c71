"""Batched, idempotent MERGE of nodes and relationships into Neo4j, written in the background.

Why this shape: one `UNWIND $rows` statement per batch keeps a sync of many
thousand claims to a few round trips, MERGE on the node key makes re-running a
sync harmless, and managed write transactions (`session.execute_write`) retry
transient failures. Labels, relationship types and key names cannot be Cypher
parameters, so they are checked against a strict pattern before they become
part of the statement; every value travels as a parameter.

Why a `Writer` thread: preparing rows (reading the record, hashing, checking,
packing) costs the client about as much as writing them costs the server. A
Writer runs the batches, in the order they were submitted, on one session in a
background thread, so the caller prepares the next rows (socket waits release
the GIL) while Neo4j writes the previous ones. Order is what makes it safe:
nodes submitted before a relationship batch are committed before it runs. After
a failed batch the later ones are skipped (they may depend on it) and the error
is raised when the Writer closes.

Two Writers can share a job: the server runs their transactions side by side.
`checkpoint()` and `after()` order them where one depends on the other (writes
that lock the same nodes would only wait for each other, or deadlock and retry).

Rows:
- nodes: either {key: value, "props": {...}} or a flat property dict that
  contains the key (all other entries become properties);
- relationships: {"start": start_id, "end": end_id, "props": {...}}; endpoints
  are matched by `id` on the given labels and must exist already — or, given a
  `NodeRefs`, by the element ids it holds for those ids (filled by the node reads
  and writes before; an endpoint it lacks is skipped like a failed MATCH). A batch
  whose rows have no properties is written without a SET.
`SET n += props` updates the given properties and removes those set to None.

Why `create_nodes` / `create_relationships` beside the MERGEs: a caller that has
read what the graph holds (graph.projection) knows which rows are new, and for
those a MERGE only repeats that lookup — for a relationship it is a locking scan of
the start node's relationships to the end node, the largest part of a first sync.
CREATE writes directly; a node's uniqueness constraint still rejects a duplicate
key (the batch fails, nothing is duplicated), a relationship has no such guard,
so only rows known to be absent belong there.
Rows travel as [key, props] / [start, end, props] lists: smaller and cheaper for
the driver to pack (and to repr: neo4j 6.4 formats every RUN's parameters for its
debug log, enabled or not) than maps.
"""
from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from functools import lru_cache

import neo4j.spatial
import neo4j.time

NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z_]*$")
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SCALAR_TYPES = (str, bool, int, float, bytes, bytearray, dt.date, dt.datetime, dt.time, dt.timedelta,
                neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time, neo4j.time.Duration, neo4j.spatial.Point)
_PLAIN_TYPES = frozenset((str, bool, int, float, type(None)))   # the common case, checked by exact type
QUEUED_BATCHES = 4          # submitted batches waiting for the writer thread: bounds the memory held


class Pending:
    """What a submitted write will return (rows written), known once its batches ran."""

    def __init__(self, futures: list[Future] | None = None):
        self._futures = futures or []

    def result(self) -> int:
        return sum(f.result() for f in self._futures)


class QuietList(list):
    """A list parameter with a short repr: the driver (neo4j 6.4, Bolt `run`) formats every
    RUN's parameters for its debug log whether that log is on or not, on the writer thread,
    before the batch is sent: ~0.1 s per 10,000 rows and far more for the vectors' raw bytes.
    It packs like any list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


class NodeRefs:
    """Element ids of the nodes a sync knows, by label and key value.

    Filled from the graph's own answers: the ids a sync read of the nodes already
    there, and those its node writes return (`Writer.create_nodes(..., refs=)`).
    Relationship and vector writes given `refs` find their nodes by element id,
    a direct record lookup, instead of a seek in the label's `id` index per endpoint.
    Only the writer thread adds ids after the reads, always before the batches
    that use them run (batches run in submission order).
    """

    def __init__(self) -> None:
        self._ids: dict[str, dict] = {}

    def add(self, label: str, pairs: Iterable) -> None:
        """(key, element id) pairs of `label`'s nodes."""
        self._ids.setdefault(label, {}).update(pairs)

    def of(self, label: str) -> dict:
        """key -> element id for `label` (the live table, not a copy)."""
        return self._ids.setdefault(label, {})

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._ids.values())


class Writer:
    """Runs write batches in submission order on one session in a background thread.

    Use as a context manager; leaving it waits for every batch and raises the
    first failure. `submit` blocks while `queued` batches (QUEUED_BATCHES) are waiting.
    """

    def __init__(self, driver, database: str | None = None, queued: int = QUEUED_BATCHES):
        self._driver = driver
        self._database = database
        self._queue: queue.Queue = queue.Queue(maxsize=queued)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="neo4j-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, query: str, **params) -> Future:
        """Run `query` with `params` in its own write transaction; the future holds its single value."""
        return self.submit_lazy(query, params)

    def submit_lazy(self, query: str, params, finish=None) -> Future:
        """Like `submit`, but `params` may be a callable that builds them in the writer thread
        right before the batch runs (after every earlier batch committed: element ids that
        earlier node writes returned are known then); `finish` maps the query's value to
        the future's result, also in the writer thread."""
        future: Future = Future()
        if self._error is not None:
            future.set_exception(self._error)
        else:
            self._queue.put((query, params, future, finish))
        return future

    def checkpoint(self) -> Future:
        """A future that completes once every batch submitted so far has run (failed: with its error)."""
        future: Future = Future()
        self._queue.put(_Checkpoint(future))
        return future

    def after(self, future: Future) -> None:
        """Run the batches submitted from now on only once `future` (e.g. another Writer's
        checkpoint) is done; if it failed, they are skipped and its error is raised on close."""
        self._queue.put(_After(future))

    def close(self) -> None:
        """Wait for every submitted batch; raise the first failure."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        session = None
        while (item := self._queue.get()) is not None:
            if isinstance(item, _After):
                if self._error is None:
                    try:
                        item.future.result()
                    except BaseException as exc:  # noqa: BLE001 - raised to the caller by close()
                        self._error = exc
                continue
            if isinstance(item, _Checkpoint):
                if self._error is None:
                    item.future.set_result(None)
                else:
                    item.future.set_exception(self._error)
                continue
            query, params, future, finish = item
            if self._error is None:
                try:
                    session = session or self._driver.session(database=self._database)
                    if callable(params):
                        params = params()
                    if params is None:          # nothing left to write in this batch
                        future.set_result(0)
                        continue
                    value = session.execute_write(_single, query, params)
                    future.set_result(finish(value) if finish else value)
                    continue
                except BaseException as exc:  # noqa: BLE001 - raised to the caller by close()
                    self._error = exc
            future.set_exception(self._error)
        if session is not None:
            session.close()

    def merge_nodes(self, label: str, rows: Iterable[Mapping], key: str = "id",
                    batch_size: int = 5000, refs: NodeRefs | None = None) -> Pending:
        """MERGE (n:label {key}) for every row and set its properties (element ids into `refs`)."""
        return self._nodes("MERGE", label, rows, key, batch_size, refs)

    def create_nodes(self, label: str, rows: Iterable[Mapping], key: str = "id",
                     batch_size: int = 5000, refs: NodeRefs | None = None) -> Pending:
        """CREATE (n:label {key}) for rows whose key the graph does not hold yet (element ids into `refs`)."""
        return self._nodes("CREATE", label, rows, key, batch_size, refs)

    def merge_relationships(self, rel_type: str, start_label: str, end_label: str, rows: Iterable[Mapping],
                            batch_size: int = 5000, refs: NodeRefs | None = None) -> Pending:
        """MERGE (start)-[:rel_type]->(end) for every row whose endpoints exist."""
        return self._relationships("MERGE", rel_type, start_label, end_label, rows, batch_size, refs)

    def create_relationships(self, rel_type: str, start_label: str, end_label: str, rows: Iterable[Mapping],
                             batch_size: int = 5000, refs: NodeRefs | None = None) -> Pending:
        """CREATE (start)-[:rel_type]->(end) for rows absent from the graph whose endpoints exist."""
        return self._relationships("CREATE", rel_type, start_label, end_label, rows, batch_size, refs)

    def _nodes(self, verb: str, label: str, rows: Iterable[Mapping], key: str, batch_size: int,
               refs: NodeRefs | None = None) -> Pending:
        _check_name(label, "label")
        _check_key(key)
        write = f"UNWIND $rows AS row {verb} (n:{label} {{{key}: row[0]}}) SET n += row[1] "
        if refs is None:
            return self.run_batches(write + "RETURN count(n) AS written",
                                    (_node_row(label, key, row) for row in rows), batch_size)
        query = write + "RETURN collect([row[0], elementId(n)]) AS written"

        def finish(pairs: list) -> int:
            refs.add(label, pairs)
            return len(pairs)
        return Pending([self.submit_lazy(query, {"rows": batch}, finish)
                        for batch in _batches((_node_row(label, key, row) for row in rows), batch_size)])

    def _relationships(self, verb: str, rel_type: str, start_label: str, end_label: str,
                       rows: Iterable[Mapping], batch_size: int, refs: NodeRefs | None = None) -> Pending:
        _check_name(rel_type, "relationship type")
        _check_name(start_label, "label")
        _check_name(end_label, "label")
        if refs is None:
            query = (
                f"UNWIND $rows AS row "
                f"MATCH (a:{start_label} {{id: row[0]}}) "
                f"MATCH (b:{end_label} {{id: row[1]}}) "
                f"{verb} (a)-[r:{rel_type}]->(b) SET r += row[2] "
                "RETURN count(r) AS written"
            )
            return self.run_batches(query, (_rel_row(rel_type, row) for row in rows), batch_size)
        # Endpoints by element id (a direct lookup, the label still checked); a relationship
        # without properties is written without a SET (no property record, nothing to diff).
        match = (f"UNWIND $rows AS row "
                 f"MATCH (a:{start_label}) WHERE elementId(a) = row[0] "
                 f"MATCH (b:{end_label}) WHERE elementId(b) = row[1] "
                 f"{verb} (a)-[r:{rel_type}]->(b) ")
        with_props = match + "SET r += row[2] RETURN count(r) AS written"
        bare = match + "RETURN count(r) AS written"
        starts, ends = refs.of(start_label), refs.of(end_label)
        pending = []
        for batch in _batches((_rel_row(rel_type, row) for row in rows), batch_size):
            bare_batch = not any(row[2] for row in batch)

            def params(batch=batch, bare_batch=bare_batch):
                # resolved in the writer thread: the endpoints' node batches have run by now;
                # an endpoint the graph does not hold is skipped, as MATCH would
                resolved = QuietList()
                for start, end, props in batch:
                    a, b = starts.get(start), ends.get(end)
                    if a is not None and b is not None:
                        resolved.append([a, b] if bare_batch else [a, b, props])
                return {"rows": resolved} if resolved else None
            pending.append(self.submit_lazy(bare if bare_batch else with_props, params))
        return Pending(pending)

    def run_batches(self, query: str, items: Iterable, batch_size: int, name: str = "rows") -> Pending:
        """`query` once per batch of `items`, passed as parameter `name`; the query returns one count."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        return Pending([self.submit(query, **{name: batch}) for batch in _batches(iter(items), batch_size)])


class _Checkpoint:
    """Queue item: complete `future` when the writer thread reaches it."""

    def __init__(self, future: Future):
        self.future = future


class _After:
    """Queue item: wait for `future` before the next batch."""

    def __init__(self, future: Future):
        self.future = future


def _single(tx, query: str, params: dict):
    record = tx.run(query, params).single()
    return record[0] if record is not None else None


def merge_nodes(driver, label: str, rows: Iterable[Mapping], key: str = "id", batch_size: int = 5000,
                database: str | None = None) -> int:
    """MERGE (n:label {key}) for every row and set its properties; returns the rows written."""
    with Writer(driver, database) as writer:
        pending = writer.merge_nodes(label, rows, key, batch_size)
    return pending.result()


def merge_relationships(driver, rel_type: str, start_label: str, end_label: str, rows: Iterable[Mapping],
                        batch_size: int = 5000, database: str | None = None) -> int:
    """MERGE (start)-[:rel_type]->(end) for every row whose endpoints exist; returns how many did.

    A return value below the number of rows means some endpoints were missing:
    write the nodes first.
    """
    with Writer(driver, database) as writer:
        pending = writer.merge_relationships(rel_type, start_label, end_label, rows, batch_size)
    return pending.result()


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch: list = QuietList()
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = QuietList()
    if batch:
        yield batch


def _node_row(label: str, key: str, row: Mapping) -> list:
    if key not in row or row[key] is None:
        raise ValueError(f"{label} row without a {key!r}: {dict(row)!r}")
    if set(row) == {key, "props"}:
        props = dict(row["props"] or {})
    else:
        props = {name: value for name, value in row.items() if name != key}
    _check_props(props, label, row[key])
    return [row[key], props]


def _rel_row(rel_type: str, row: Mapping) -> list:
    if row.get("start") is None or row.get("end") is None:
        raise ValueError(f"{rel_type} row needs 'start' and 'end' ids: {dict(row)!r}")
    props = dict(row.get("props") or {})
    _check_props(props, rel_type, (row["start"], row["end"]))
    return [row["start"], row["end"], props]


@lru_cache(maxsize=1024)
def _plain_identifier(name) -> bool:
    """A property name Cypher takes unquoted; cached, as a sync checks the same few names per row."""
    return isinstance(name, str) and KEY_PATTERN.match(name) is not None


def _check_props(props: dict, kind: str, which) -> None:
    """Neo4j stores scalars and homogeneous lists of scalars only; say which property is wrong."""
    for name, value in props.items():
        if not _plain_identifier(name):
            raise ValueError(f"{kind} {which!r}: property name {name!r} is not a plain identifier")
        if type(value) in _PLAIN_TYPES or isinstance(value, SCALAR_TYPES):
            continue
        if isinstance(value, (list, tuple)) and _homogeneous(value):
            continue
        raise ValueError(
            f"{kind} {which!r}: property {name!r} has a value Neo4j cannot store ({type(value).__name__}); "
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
