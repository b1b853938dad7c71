"""The SQLite record: the durable store every stage writes to and Neo4j is rebuilt from.

Why SQLite: the nightly job must run with no server at all, survive kill -9
(WAL + one transaction per article), and be the single source the graph
projection can always be rebuilt from.

The schema is versioned. `MIGRATIONS` is an ordered list of (version, SQL);
`open_record` applies the ones the file has not seen yet, inside a
transaction each, and records the version in `schema_version`. To change the
schema, append a migration: never edit one that has shipped.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from ingest.frontier import SCHEMA_SQL as FRONTIER_SQL

CORE_SQL = """
CREATE TABLE sources (
    id          TEXT PRIMARY KEY,          -- normalized outlet key (domain or site name, lowercased)
    name        TEXT NOT NULL,
    domain      TEXT,
    first_seen  TEXT NOT NULL
);

CREATE TABLE articles (
    id            TEXT PRIMARY KEY,        -- sha1 of the canonical url
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    source_id     TEXT NOT NULL REFERENCES sources(id),
    title         TEXT,
    author        TEXT,
    published     TEXT,                    -- ISO date
    fetched_at    TEXT,
    ingested_at   TEXT NOT NULL,
    language      TEXT,
    text          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    analyzed_hash TEXT,                    -- content_hash the NLP results belong to
    status        TEXT NOT NULL DEFAULT 'ingested',   -- ingested | analyzed | failed
    error         TEXT,
    ai_disclosure TEXT,
    raw_bytes     INTEGER DEFAULT 0
);
CREATE INDEX articles_source ON articles(source_id);
CREATE INDEX articles_hash ON articles(content_hash);

CREATE TABLE input_failures (
    input       TEXT PRIMARY KEY,          -- path or url as the user gave it
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    last_seen   TEXT NOT NULL
);

CREATE TABLE links (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    href        TEXT NOT NULL,
    anchor      TEXT,
    PRIMARY KEY (article_id, href)
);

CREATE TABLE mentions (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    label       TEXT NOT NULL,
    canonical   TEXT,
    kb_id       TEXT,
    entity_id   TEXT,                      -- set by linking
    PRIMARY KEY (article_id, start, end)
);
CREATE INDEX mentions_entity ON mentions(entity_id);

CREATE TABLE claims (
    id             TEXT PRIMARY KEY,       -- sha1(article content hash, start, end)
    article_id     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx            INTEGER NOT NULL,       -- position in the article's claim list
    sentence       TEXT NOT NULL,
    start          INTEGER NOT NULL,
    end            INTEGER NOT NULL,
    span           TEXT NOT NULL,
    value          REAL NOT NULL,
    low            REAL,
    high           REAL,
    qualifier      TEXT NOT NULL,
    unit           TEXT NOT NULL,
    per            TEXT,
    subject        TEXT,
    measure        TEXT,
    measure_key    TEXT,
    time           TEXT,
    time_key       TEXT,
    attributed_to  TEXT NOT NULL DEFAULT '[]',   -- JSON list of names
    hedged         INTEGER NOT NULL DEFAULT 0,
    lang           TEXT NOT NULL,
    sentence_index INTEGER NOT NULL,
    sentence_start INTEGER NOT NULL,
    change         TEXT,
    conversion_of  TEXT,                   -- claim id this one converts
    entities       TEXT NOT NULL DEFAULT '[]',   -- JSON list of entity mentions in the sentence
    embedding_key  TEXT,                   -- embeddings.key of the claim's lookup text (queries/claim_embeddings.py)
    embedding_model TEXT,                  -- embeddings.model of that vector
    UNIQUE (article_id, start, end)
);
CREATE INDEX claims_article ON claims(article_id);
CREATE INDEX claims_measure ON claims(measure_key, unit);

CREATE TABLE citations (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    target      TEXT NOT NULL,
    text        TEXT,
    start       INTEGER NOT NULL,
    PRIMARY KEY (article_id, kind, target, start)
);

CREATE TABLE embeddings (
    key         TEXT NOT NULL,             -- sha1 of the embedded text
    model       TEXT NOT NULL,
    dim         INTEGER NOT NULL,
    vector      BLOB NOT NULL,             -- float32 little endian
    PRIMARY KEY (key, model)
);

CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE claim_entities (
    claim_id    TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    entity_id   TEXT NOT NULL,
    role        TEXT NOT NULL,             -- about | attributed_to | mentioned
    PRIMARY KEY (claim_id, entity_id, role)
);

CREATE TABLE facts (
    id              TEXT PRIMARY KEY,
    subject         TEXT,
    measure_key     TEXT,
    unit            TEXT,
    verdict         TEXT NOT NULL,         -- consistent | contradictory | changed_over_time | single
    first_claim_id  TEXT,
    data            TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE fact_members (
    fact_id     TEXT NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    claim_id    TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
    PRIMARY KEY (fact_id, claim_id)
);
CREATE INDEX fact_members_claim ON fact_members(claim_id);

CREATE TABLE flags (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,             -- contradiction | corroboration | change_over_time | copy | ai_generated | hedged | ...
    severity    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    claim_a     TEXT,
    claim_b     TEXT,
    article_a   TEXT,
    article_b   TEXT,
    fact_id     TEXT,
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX flags_kind ON flags(kind);
CREATE INDEX flags_claim_a ON flags(claim_a);
CREATE INDEX flags_claim_b ON flags(claim_b);
CREATE INDEX flags_fact ON flags(fact_id);

-- Linking (graph/link.py) is incremental: an article is (re)linked when
-- "<analyzed_hash>:<analyzed_rules>:<rules signature>" differs from content_hash, what
-- it was last linked at (graph.link_config.rules_signature: other rules relink all).
CREATE TABLE link_state (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    linked_at   TEXT NOT NULL
);

-- Sampled word-shingle hashes of each article (graph/copies.py): the inverted
-- index that finds copy candidates without comparing every pair of articles.
CREATE TABLE copy_fingerprints (
    hash        INTEGER NOT NULL,
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (hash, article_id)
) WITHOUT ROWID;
CREATE INDEX copy_fingerprints_article ON copy_fingerprints(article_id);

-- Full-text index of claims for `lookup` (queries/search_index.py keeps it in sync:
-- rebuilt after the NLP and linking stages. head = subject, measure, entity names,
-- body = sentence, span, attribution, both pre-normalized token strings. The prefix
-- indexes make the lookup's short prefix queries (kost*, miet*) cheap on common stems).
CREATE VIRTUAL TABLE claim_search USING fts5(
    claim_id UNINDEXED, article_id UNINDEXED, head, body,
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3 4 5 6 7 8'
);
CREATE VIRTUAL TABLE claim_search_vocab USING fts5vocab(claim_search, 'row');
CREATE TABLE claim_search_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,             -- record_fingerprint() when the index was built
    built_at    TEXT NOT NULL
);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    command     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    summary     TEXT
);
"""

MIGRATIONS: list[tuple[int, str]] = [
    (1, CORE_SQL + "\n" + FRONTIER_SQL),
    # nlp.config.rules_signature of the analysis stored (NULL: rules unknown, analyze again)
    (2, "ALTER TABLE articles ADD COLUMN analyzed_rules TEXT;"),
]


class RecordError(Exception):
    """The record file cannot be used; the message says what to do."""


def open_record(path: str | Path) -> sqlite3.Connection:
    """Open (and create or migrate) the record at `path`.

    WAL lets readers (lookup, flags) run while the nightly job writes;
    `busy_timeout` makes a second writer wait instead of failing at once.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise RecordError(
            f"cannot open the record {path}: {exc}. Is it a newsgraph SQLite file? "
            "Point --db / NEWSGRAPH_DB at another path, or move this file away."
        ) from exc
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations, each atomically; return the resulting version."""
    current = schema_version(conn)
    latest = MIGRATIONS[-1][0]
    if current > latest:
        raise RecordError(
            f"the record has schema version {current}, newer than this newsgraph knows ({latest}); "
            "upgrade newsgraph."
        )
    for version, sql in MIGRATIONS:
        if version <= current:
            continue
        with transaction(conn):
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version(version) VALUES (?)", (version,))
    return schema_version(conn)


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements, the way sqlite3 itself sees their ends.

    (`executescript` would commit the surrounding transaction, so each statement
    is executed on its own inside it.)
    """
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if not _only_comments(buffer):
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not _only_comments(buffer):
        raise ValueError(f"incomplete statement at the end of a migration: {buffer.strip()[:80]}")
    return statements


def _only_comments(s: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in s.splitlines())


class transaction:
    """`with transaction(conn):` runs a BEGIN IMMEDIATE ... COMMIT block (ROLLBACK on error).

    The connection is in autocommit mode (isolation_level=None) so that each
    stage decides its own atomic units: one article, one batch of embeddings.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
