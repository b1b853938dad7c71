"""Constraints and indexes of the newsgraph Neo4j model, created idempotently.

Why up front: MERGE on `id` is only fast (and only safe against duplicates
under concurrent writers) with a uniqueness constraint per label; lookups need
full-text indexes over claim and entity wording, and semantic lookups a vector
index over claim embeddings. Every statement uses IF NOT EXISTS, so running
`ensure_schema` before each sync never fails on an existing schema; and it first
reads the schema in one query and sends nothing more when every index is there
and online, so before a sync it costs one round trip instead of ~18.

Names and labels below are fixed identifiers, not user input: Cypher cannot
take them as parameters, so they are part of the statement text.
"""
from __future__ import annotations

# One uniqueness constraint on `id` per node label of the model.
NODE_LABELS = ("Source", "Article", "Entity", "Claim", "Fact", "Flag")

# name -> (label, properties); Lucene full-text, language-neutral analyzer so German
# and English wording are both tokenized the same way. Entity.aliases is a list of strings.
# Eventually consistent (FULLTEXT_CONFIG): see await_indexes.
FULLTEXT_INDEXES = {
    "claim_text": ("Claim", ("text", "measure", "span", "subject")),
    "entity_names": ("Entity", ("name", "aliases")),
}

# name -> (label, property); exact-match lookups used by queries and linking.
RANGE_INDEXES = {
    "claim_measure_key": ("Claim", "measure_key"),
    "claim_subject": ("Claim", "subject"),
    "article_canonical_url": ("Article", "canonical_url"),
    "article_content_hash": ("Article", "content_hash"),
    "entity_name": ("Entity", "name"),
    "fact_measure_key": ("Fact", "measure_key"),
}

# A full-text index that is eventually consistent is updated by a background thread after
# each commit instead of inside it: a sync's write transactions commit sooner and the index
# work runs on another core (a first sync of 10,000 claims: ~7 % faster on two cores).
# Readers wait for it with await_indexes, which the sync calls before it returns.
FULLTEXT_CONFIG = "`fulltext.eventually_consistent`: true"

VECTOR_INDEX = ("claim_embedding", "Claim", "embedding")
VECTOR_SIMILARITY = "cosine"


def schema_statements(embedding_dim: int = 384) -> list[tuple[str, dict]]:
    """(Cypher, parameters) pairs that create the whole schema, each idempotent."""
    if isinstance(embedding_dim, bool) or not isinstance(embedding_dim, int) or not 1 <= embedding_dim <= 4096:
        raise ValueError(f"embedding_dim must be an integer in 1..4096 (Neo4j 5 limit), got {embedding_dim!r}")
    statements = [
        (f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE", {})
        for label in NODE_LABELS
    ]
    for name, (label, props) in FULLTEXT_INDEXES.items():
        fields = ", ".join(f"n.{prop}" for prop in props)
        statements.append((f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{label}) ON EACH [{fields}] "
                           f"OPTIONS {{indexConfig: {{{FULLTEXT_CONFIG}}}}}", {}))
    for name, (label, prop) in RANGE_INDEXES.items():
        statements.append((f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})", {}))
    name, label, prop = VECTOR_INDEX
    statements.append((
        f"CREATE VECTOR INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop}) "
        "OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: $similarity}}",
        {"dimensions": embedding_dim, "similarity": VECTOR_SIMILARITY},
    ))
    return statements


def ensure_schema(driver, database: str | None = None, embedding_dim: int = 384,
                  extra: dict[str, str] | None = None) -> list[str]:
    """Create missing constraints and indexes, wait until all are online; returns their names.

    `extra` maps the names of a caller's own indexes to their CREATE ... IF NOT
    EXISTS statements (the lookup's full-text index), checked in the same query.
    IF NOT EXISTS keeps an existing `claim_embedding` as it is, so a dimension
    that differs from `embedding_dim` (another embedding model) raises instead
    of leaving new embeddings silently unindexed.
    """
    statements = schema_statements(embedding_dim) + [(statement, {}) for statement in (extra or {}).values()]
    existing = _online_vector_dimensions(driver, database, set(expected_names()) | set(extra or {}))
    if existing is None:
        for statement, params in statements:
            driver.execute_query(statement, params, database_=database)
        # New indexes populate in the background; queries right after a sync should see them.
        await_indexes(driver, database)
        existing = vector_dimensions(driver, VECTOR_INDEX[0], database)
    if existing != embedding_dim:
        raise ValueError(
            f"vector index {VECTOR_INDEX[0]} has {existing} dimensions but the embeddings have {embedding_dim}: "
            f"run `DROP INDEX {VECTOR_INDEX[0]}` and sync again to rebuild it"
        )
    return expected_names()


def await_indexes(driver, database: str | None = None, timeout_seconds: int = 300) -> None:
    """Wait until every index is online and holds every committed write.

    `db.awaitIndexes` covers populating indexes; the eventually consistent full-text
    ones (FULLTEXT_CONFIG) also need `awaitEventuallyConsistentIndexRefresh` before a
    query sees the last writes. Call it after writing, before searching.
    """
    driver.execute_query("CALL db.awaitIndexes($seconds)", {"seconds": timeout_seconds}, database_=database)
    driver.execute_query("CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()", database_=database)


def _online_vector_dimensions(driver, database: str | None, names: set[str]) -> int | None:
    """The vector index's dimension when every named index is online (the uniqueness ones
    backing their constraints), else None: the schema needs its CREATE statements."""
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, state, owningConstraint, options WHERE name IN $names "
        "RETURN name, state, owningConstraint, options", {"names": sorted(names)}, database_=database)
    constraints = {f"{label.lower()}_id" for label in NODE_LABELS}
    online = {r["name"]: r for r in records
              if r["state"] == "ONLINE" and (r["name"] not in constraints or r["owningConstraint"])}
    if set(online) != names:
        return None
    return online[VECTOR_INDEX[0]]["options"]["indexConfig"]["vector.dimensions"]


def vector_dimensions(driver, index_name: str, database: str | None = None) -> int | None:
    """The configured dimension of a vector index, None when it does not exist."""
    records, _, _ = driver.execute_query(
        "SHOW VECTOR INDEXES YIELD name, options WHERE name = $name RETURN options", {"name": index_name},
        database_=database,
    )
    if not records:
        return None
    return records[0]["options"]["indexConfig"]["vector.dimensions"]


def expected_names() -> list[str]:
    """Names of every constraint and index ensure_schema creates."""
    return sorted(
        [f"{label.lower()}_id" for label in NODE_LABELS]
        + list(FULLTEXT_INDEXES)
        + list(RANGE_INDEXES)
        + [VECTOR_INDEX[0]]
    )
