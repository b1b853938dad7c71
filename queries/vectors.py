"""Claim embeddings in memory, for the semantic half of the embedded lookup.

Why an explicit object: loading every claim vector from the record is the
expensive step of a lookup (seconds at a million claims), so a process that
answers many lookups loads a `ClaimVectors` once (queries.lookup.LookupIndex
holds it) and passes it to each call.

Two ways to find the nearest claims, chosen by size:
- up to `EXACT_LIMIT` claims, one float32 matrix-vector product over all of them;
- above it, a binary sketch first: the sign bits of the mean-centred unit
  vectors (48 bytes a claim at 384 dimensions), Hamming distance by XOR +
  popcount over the whole set, then the best `RERANK` candidates rescored
  exactly. 100,000 claims: ~5 MB scanned instead of 150 MB; a million: 48 MB.
  The float32 vectors stay in memory up to `KEEP_LIMIT` claims for the
  rescoring; above it an int8 copy (a quarter of the size) rescores them, and
  the exact vectors of the final candidates are read from the record.
Exact scores of any candidate set come from `exact_scores`, float32 dot products
in claim-id order, so two lookups that see the same vectors score them bit-identically.

Persisted (`open_claim_vectors`): reading every vector out of SQLite takes
seconds per 100,000 claims, and a CLI lookup is a new process each time. So the
built arrays (ids, float32 matrix, norms, sketch, int8 copy) are saved as .npy
files in `<record>.lookup-vectors/` and memory-mapped by the next process. They
are keyed by a fingerprint of which vector every claim points at (claim id ->
embedding key, plus the count and newest rowid of the model's cached vectors),
read with one scan of `claims` per open, so a changed record is never answered
from old files. A stale store is rebuilt incrementally: the cache is
content-addressed (key = sha1 of the text + model, rows are never rewritten),
so the rows of keys it already holds are reused and only new keys are read
from SQLite.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from graph.embeddings import cached_vector_bytes

EXACT_LIMIT = 20_000
KEEP_LIMIT = 250_000
RERANK = 2_000
STORE_FORMAT = 1

# claim id -> its embedding, as graph.link stores it (table embeddings, key = sha1 of the text)
CLAIM_EMBEDDINGS_SQL = """
    SELECT c.id AS claim_id, e.key AS key, e.model AS model, e.dim AS dim, e.vector AS vector
    FROM claims c JOIN embeddings e ON e.key = c.embedding_key AND e.model = c.embedding_model
"""


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32, copy=False)


def exact_scores(vectors: dict[str, np.ndarray], query: np.ndarray) -> dict[str, float]:
    """Cosine of each vector with `query`, rounded to 6 places, computed in claim-id order."""
    if not vectors:
        return {}
    ids = sorted(vectors)
    mat = unit_rows(np.stack([vectors[i] for i in ids]).astype(np.float32))
    q = unit_rows(query.reshape(1, -1).astype(np.float32))[0]
    sims = _matvec(mat, q)
    return {i: round(float(s), 6) for i, s in zip(ids, sims)}


@dataclass
class ClaimVectors:
    """All claim vectors of one embedding model, searchable by cosine similarity."""

    model: str
    ids: list[str]
    matrix: np.ndarray | None             # (n, d) stored float32 vectors (n <= keep_limit)
    inv_norm: np.ndarray | None           # (n,) 1/|v|
    codes: np.ndarray | None              # (words, n) uint64 sign bits (n > exact_limit)
    centre: np.ndarray | None
    row_of: dict[str, int]
    approx: tuple[np.ndarray, np.ndarray] | None = None   # int8 unit rows + row scales, when matrix is not kept

    @classmethod
    def load(cls, conn: sqlite3.Connection, model: str, exact_limit: int = EXACT_LIMIT,
             keep_limit: int = KEEP_LIMIT) -> "ClaimVectors":
        """Built from the record alone (nothing read from or written to disk)."""
        ids, _, matrix = _assemble(conn, vector_state(conn, model), None)
        return cls.from_matrix(model, ids, matrix, exact_limit, keep_limit)

    @classmethod
    def from_matrix(cls, model: str, ids: list[str], matrix: np.ndarray,
                    exact_limit: int = EXACT_LIMIT, keep_limit: int = KEEP_LIMIT) -> "ClaimVectors":
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        row_of = {i: k for k, i in enumerate(ids)}
        norms = np.linalg.norm(matrix, axis=1) if len(ids) else np.zeros(0, np.float32)
        norms[norms == 0] = 1.0
        inv = (1.0 / norms).astype(np.float32)
        codes = centre = None
        if len(ids) > exact_limit:
            centre, codes = _sketch(matrix, inv)
        if len(ids) <= keep_limit:
            return cls(model, list(ids), matrix, inv, codes, centre, row_of)
        return cls(model, list(ids), None, None, codes, centre, row_of, _int8_rows(matrix, inv))

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, conn: sqlite3.Connection | None, query: np.ndarray, k: int) -> list[str]:
        """Ids of the `k` most similar claims, best first (sketch mode: the best of RERANK)."""
        n = len(self.ids)
        if n == 0 or k <= 0:
            return []
        q = unit_rows(query.reshape(1, -1).astype(np.float32))[0]
        if self.codes is None:
            sims = _matvec(self.matrix, q) * self.inv_norm
            return [self.ids[i] for i in _top(sims, k)]
        qcode = _sign_codes((q - self.centre).reshape(1, -1))[:, 0]
        dist = np.zeros(n, dtype=np.int32)
        for word, qword in zip(self.codes, qcode):   # one contiguous pass per 64 dimensions
            dist += np.bitwise_count(word ^ qword)
        m = min(n, max(RERANK, k))
        rows = np.argpartition(dist, m - 1)[:m] if m < n else np.arange(n)
        if self.matrix is not None:
            sims = _matvec(self.matrix[rows], q) * self.inv_norm[rows]
        else:   # int8 copy: 1/4 of the memory, cosine within ~1 %; exact scores come later
            rows8, scale = self.approx
            sims = _matvec(rows8[rows].astype(np.float32), q) * scale[rows]
        return [self.ids[rows[i]] for i in _top(sims, k)]

    def vectors(self, conn: sqlite3.Connection | None, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored float32 vectors of `ids` (from memory, else from the record)."""
        if self.matrix is not None:
            return {i: self.matrix[self.row_of[i]] for i in ids if i in self.row_of}
        if conn is None or not ids:
            return {}
        out = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for r in conn.execute(
                f"SELECT claim_id, vector FROM ({CLAIM_EMBEDDINGS_SQL}) "
                f"WHERE model = ? AND claim_id IN ({','.join('?' * len(chunk))})",
                [self.model, *chunk],
            ):
                out[r[0]] = np.frombuffer(r[1], dtype="<f4")
        return out


# -- persisted vectors ---------------------------------------------------------------------------

@dataclass(frozen=True)
class VectorState:
    """Which cached vector every claim of one model points at: what persisted vectors must match."""

    model: str
    pairs: list[tuple[str, str]]     # (claim id, embedding key) in the table's order
    unkeyed: int                     # claims without an embedding key (any model)
    fingerprint: str


def vector_state(conn: sqlite3.Connection, model: str) -> VectorState:
    """One scan of `claims`, hashed in table order: no ORDER BY (random reads through the id
    index) and no sort; a VACUUM that reorders rows only costs a rebuild."""
    cur = conn.cursor()
    cur.row_factory = None
    rows = cur.execute("SELECT id, embedding_key, embedding_model FROM claims").fetchall()
    pairs = [(i, k) for i, k, m in rows if m == model and k is not None]
    unkeyed = sum(1 for _, k, _ in rows if k is None)
    cache = cur.execute("SELECT COUNT(*), IFNULL(MAX(rowid), 0) FROM embeddings WHERE model = ?",
                        (model,)).fetchone()
    digest = hashlib.sha1(f"{STORE_FORMAT}\n{model}\n{cache[0]} {cache[1]}\n".encode())
    digest.update("\n".join(f"{i} {k}" for i, k in pairs).encode())
    return VectorState(model, pairs, unkeyed, digest.hexdigest())


def open_claim_vectors(conn: sqlite3.Connection, model: str, state: VectorState | None = None,
                       exact_limit: int = EXACT_LIMIT, keep_limit: int = KEEP_LIMIT) -> ClaimVectors:
    """The model's claim vectors: memory-mapped from the record's store when it matches
    `state`, else built (reusing the stored rows of unchanged keys) and stored."""
    state = state or vector_state(conn, model)
    store = VectorStore.beside(conn, model)
    if store is not None:
        found = store.load(state.fingerprint, exact_limit, keep_limit)
        if found is not None:
            return found
    ids, keys, matrix = _assemble(conn, state, store.rows() if store is not None else None)
    vectors = ClaimVectors.from_matrix(model, ids, matrix, exact_limit, keep_limit)
    if store is not None:
        store.save(state.fingerprint, vectors, keys, matrix, exact_limit, keep_limit)
    return vectors


class VectorStore:
    """One model's ClaimVectors as .npy files in `<record>.lookup-vectors/`.

    Files carry the fingerprint in their names and `<model>.json` names the
    current set, written last: a reader sees a complete set or none (a missing
    or unreadable file means a rebuild, never a mix of two builds).
    """

    ARRAYS = ("matrix", "inv_norm", "codes", "centre", "approx8", "approx_scale")

    def __init__(self, directory: Path, model: str):
        self.directory = directory
        self.model = model
        self.stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", model)
        self.meta_path = directory / f"{self.stem}.json"

    @classmethod
    def beside(cls, conn: sqlite3.Connection, model: str) -> "VectorStore | None":
        """The store next to the record's file; None for an in-memory record."""
        for _, name, file in conn.execute("PRAGMA database_list"):
            if name == "main" and file:
                return cls(Path(f"{file}.lookup-vectors"), model)
        return None

    def _meta(self) -> dict | None:
        try:
            meta = json.loads(self.meta_path.read_text())
        except (OSError, ValueError):
            return None
        return meta if meta.get("format") == STORE_FORMAT and meta.get("model") == self.model else None

    def _path(self, generation: str, part: str) -> Path:
        return self.directory / f"{self.stem}-{generation}.{part}"

    def load(self, fingerprint: str, exact_limit: int, keep_limit: int) -> ClaimVectors | None:
        """The stored vectors if they were built for `fingerprint` and these limits, else None."""
        meta = self._meta()
        if meta is None or meta["fingerprint"] != fingerprint or meta["limits"] != [exact_limit, keep_limit]:
            return None
        try:
            gen, n = meta["generation"], meta["n"]
            ids = self._path(gen, "ids").read_text().split("\n") if n else []
            arrays = {a: np.load(self._path(gen, f"{a}.npy"), mmap_mode="r") if a in meta["arrays"] else None
                      for a in self.ARRAYS}
        except (OSError, ValueError):
            return None
        if len(ids) != n or not _shapes_ok(arrays, n, meta["dim"]):
            return None
        approx = (arrays["approx8"], arrays["approx_scale"]) if arrays["approx8"] is not None else None
        matrix = arrays["matrix"] if n <= keep_limit else None
        return ClaimVectors(self.model, ids, matrix, arrays["inv_norm"] if matrix is not None else None,
                            arrays["codes"], arrays["centre"], {i: k for k, i in enumerate(ids)}, approx)

    def rows(self) -> tuple[list[str], np.ndarray] | None:
        """(embedding key of each row, float32 matrix) of the stored build, whatever its fingerprint."""
        meta = self._meta()
        if meta is None or not meta["n"]:
            return None
        try:
            keys = self._path(meta["generation"], "keys").read_text().split("\n")
            matrix = np.load(self._path(meta["generation"], "matrix.npy"), mmap_mode="r")
        except (OSError, ValueError):
            return None
        if len(keys) != meta["n"] or matrix.shape != (meta["n"], meta["dim"]) or matrix.dtype != np.float32:
            return None
        return keys, matrix

    def save(self, fingerprint: str, vectors: ClaimVectors, keys: list[str], matrix: np.ndarray,
             exact_limit: int, keep_limit: int) -> None:
        """Write a new generation, point the meta file at it, remove older ones.

        Best effort: a record in a read-only place still answers lookups, only
        without the saved start-up time.
        """
        gen = fingerprint[:16]
        approx8, approx_scale = vectors.approx if vectors.approx is not None else (None, None)
        arrays = {"matrix": matrix, "inv_norm": vectors.inv_norm, "codes": vectors.codes,
                  "centre": vectors.centre, "approx8": approx8, "approx_scale": approx_scale}
        arrays = {a: v for a, v in arrays.items() if v is not None}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(self._path(gen, "ids"), lambda f: f.write("\n".join(vectors.ids).encode()))
            _write_atomic(self._path(gen, "keys"), lambda f: f.write("\n".join(keys).encode()))
            for name, value in arrays.items():
                _write_atomic(self._path(gen, f"{name}.npy"), lambda f, v=value: np.save(f, v))
            meta = {"format": STORE_FORMAT, "model": self.model, "fingerprint": fingerprint,
                    "generation": gen, "n": len(vectors.ids), "dim": int(matrix.shape[1]),
                    "limits": [exact_limit, keep_limit], "arrays": sorted(arrays)}
            _write_atomic(self.meta_path, lambda f: f.write(json.dumps(meta).encode()))
            for old in self.directory.glob(f"{self.stem}-*"):
                if not old.name.startswith(f"{self.stem}-{gen}."):
                    old.unlink(missing_ok=True)
        except OSError:
            pass


def _shapes_ok(arrays: dict[str, np.ndarray | None], n: int, dim: int) -> bool:
    expected = {"matrix": ((n, dim), np.float32), "inv_norm": ((n,), np.float32),
                "centre": ((dim,), np.float32), "approx8": ((n, dim), np.int8),
                "approx_scale": ((n,), np.float32)}
    for name, (shape, dtype) in expected.items():
        a = arrays[name]
        if a is not None and (a.shape != shape or a.dtype != dtype):
            return False
    codes = arrays["codes"]
    return arrays["matrix"] is not None and (codes is None or (codes.dtype == np.uint64 and codes.shape[1] == n))


def _write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write to a temporary name, then rename: readers see the old file or the whole new one."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _assemble(conn: sqlite3.Connection, state: VectorState, old: tuple[list[str], np.ndarray] | None
              ) -> tuple[list[str], list[str], np.ndarray]:
    """(claim ids, keys, float32 matrix) of the claims whose vector is cached, in claim-id order.

    Rows of keys in `old` (a previous build) are copied from it; only the other
    keys are read from the record. A claim whose key is not cached is left out
    (as a join of claims and embeddings would).
    """
    old_row = {k: r for r, k in enumerate(old[0])} if old is not None else {}
    wanted = {k for _, k in state.pairs if k not in old_row}
    fetched = cached_vector_bytes(conn, state.model, wanted)
    ids, keys, src_old, src_new = [], [], [], []
    for cid, key in sorted(state.pairs):
        if key in old_row:
            src_old.append((len(ids), old_row[key]))
        elif key in fetched:
            src_new.append((len(ids), key))
        else:
            continue
        ids.append(cid)
        keys.append(key)
    dim = old[1].shape[1] if src_old else (len(next(iter(fetched.values()))) // 4 if fetched else 0)
    matrix = np.empty((len(ids), dim), dtype=np.float32)
    if src_old:
        at, rows = np.array(src_old, dtype=np.int64).T
        matrix[at] = old[1][rows]
    if src_new:
        matrix[[a for a, _ in src_new]] = np.frombuffer(
            b"".join(fetched[k] for _, k in src_new), dtype="<f4").reshape(len(src_new), dim)
    return ids, keys, matrix


def _sketch(matrix: np.ndarray, inv: np.ndarray, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """Mean unit vector and sign-bit codes, in chunks (no second full-size matrix in memory)."""
    n = matrix.shape[0]
    total = np.zeros(matrix.shape[1], dtype=np.float64)
    for s in range(0, n, chunk):
        total += (matrix[s:s + chunk] * inv[s:s + chunk, None]).sum(axis=0)
    centre = (total / max(n, 1)).astype(np.float32)
    parts = [_sign_codes(matrix[s:s + chunk] * inv[s:s + chunk, None] - centre) for s in range(0, n, chunk)]
    return centre, np.ascontiguousarray(np.concatenate(parts, axis=1))


def _int8_rows(matrix: np.ndarray, inv: np.ndarray, chunk: int = 65536
               ) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors as int8 with one scale per row (each row uses the full -127..127 range)."""
    out = np.empty(matrix.shape, dtype=np.int8)
    scale = np.empty(matrix.shape[0], dtype=np.float32)
    for s in range(0, matrix.shape[0], chunk):
        unit = matrix[s:s + chunk] * inv[s:s + chunk, None]
        peak = np.abs(unit).max(axis=1)
        peak[peak == 0] = 1.0
        out[s:s + chunk] = np.rint(unit * (127.0 / peak)[:, None])
        scale[s:s + chunk] = peak / 127.0
    return out, scale


def _sign_codes(centred: np.ndarray) -> np.ndarray:
    """Sign bits as (words, n) uint64: word-major, so each XOR + popcount pass is contiguous."""
    bits = np.packbits(centred > 0, axis=1)
    pad = (-bits.shape[1]) % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return np.ascontiguousarray(np.ascontiguousarray(bits).view(np.uint64).T)


def _matvec(matrix: np.ndarray, q: np.ndarray) -> np.ndarray:
    """matrix @ q without BLAS threads: single-threaded SIMD is faster for one query
    vector and does not stall when the machine is busy (measured: 0.2 ms vs 3-11 ms
    for 2,000 x 384)."""
    return np.einsum("ij,j->i", matrix, q)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (ties by index)."""
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
    return part[np.lexsort((part, -scores[part]))]
