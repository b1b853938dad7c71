"""The named Cypher queries in queries/*.cypher, and read-only ad-hoc Cypher.

Each .cypher file opens with a comment block that documents it and is parsed here:

    // What the query answers (first lines, up to the first @-line).
    // @param entity null  What the parameter means.   (default as a literal, or `required`)
    // @example {fact: "...", ...}                      (one result row; may continue on // lines)

Queries always run in READ transactions (`session.execute_read`): a query from
the library or from a user can read the graph but never change it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import READ_ACCESS
from neo4j.exceptions import ClientError

QUERY_DIR = Path(__file__).resolve().parent
REQUIRED = object()
_PARAM = re.compile(r"^@param\s+(\w+)\s+(\S+)\s*(.*)$")


class QueryError(Exception):
    """A query cannot run as asked; the message says what to change."""


class QueryParam(str):
    """A query parameter: the string is its name, so a list of them reads as names
    (", ".join(query.params)); its default (REQUIRED when the caller must give it)
    and description come along as attributes."""

    default: object
    description: str

    def __new__(cls, name: str, default: object, description: str) -> "QueryParam":
        param = super().__new__(cls, name)
        param.default = default
        param.description = description
        return param

    @property
    def name(self) -> str:
        return str(self)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def __repr__(self) -> str:
        default = "required" if self.required else repr(self.default)
        return f"QueryParam({self.name!r}, {default}, {self.description!r})"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: list[QueryParam] = field(default_factory=list)
    text: str = ""
    example: str = ""


def parse_value(text: str) -> object:
    """'null' -> None, 'true'/'false' -> bool, numbers, JSON lists/objects/strings, else the text."""
    t = text.strip()
    low = t.lower()
    if low in ("null", "none"):
        return None
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", t):
        return float(t)
    if t and t[0] in "[{\"":
        try:
            return json.loads(t)
        except json.JSONDecodeError as exc:
            raise QueryError(f"cannot read {t!r} as JSON: {exc.msg}; quote strings with \" inside "
                             "lists, e.g. '[\"a\", \"b\"]'") from None
    return t


def parse_params(items: list[str]) -> dict:
    """["key=value", ...] -> {key: typed value} (see parse_value)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise QueryError(f"parameter {item!r} is not key=value (e.g. entity=DeepSeek, limit=10)")
        out[key] = parse_value(value)
    return out


def parse_header(name: str, text: str) -> NamedQuery:
    """The NamedQuery of one .cypher file's text; the header must say what it answers."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:].strip())
    description, params, example = [], [], []
    section = "description"
    for line in lines:
        if line.startswith("@param"):
            section = "param"
            m = _PARAM.match(line)
            if not m:
                raise QueryError(f"{name}.cypher: malformed line {line!r}; write "
                                 "'// @param <name> <default|required> <description>'")
            pname, default, desc = m.groups()
            value = REQUIRED if default == "required" else parse_value(default)
            params.append(QueryParam(pname, value, desc.strip()))
        elif line.startswith("@example"):
            section = "example"
            example.append(line[len("@example"):].strip())
        elif section == "example" and line:
            example.append(line)
        elif section == "description" and line:
            description.append(line)
    if not description:
        raise QueryError(f"{name}.cypher has no description comment at its top")
    used = set(re.findall(r"\$(\w+)", text))
    declared = {p.name for p in params}
    if used - declared:
        raise QueryError(f"{name}.cypher uses undeclared parameter(s) {sorted(used - declared)}; "
                         "add '// @param' lines for them")
    return NamedQuery(name, " ".join(description), params, text, " ".join(example))


def list_queries(directory: Path = QUERY_DIR) -> list[NamedQuery]:
    return [parse_header(p.stem, p.read_text(encoding="utf-8"))
            for p in sorted(directory.glob("*.cypher"))]


def get_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    path = directory / f"{name}.cypher"
    if not path.is_file():
        known = ", ".join(q.name for q in list_queries(directory))
        raise QueryError(f"no query named {name!r}; known queries: {known}")
    return parse_header(name, path.read_text(encoding="utf-8"))


def bind_params(query: NamedQuery, params: dict) -> dict:
    """The query's defaults overridden by `params`; unknown or missing parameters are errors."""
    declared = {p.name: p for p in query.params}
    unknown = set(params) - set(declared)
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter(s) {sorted(unknown)}; "
                         f"it takes: {', '.join(declared) or 'none'}")
    bound = {}
    for p in query.params:
        if p.name in params:
            bound[p.name] = params[p.name]
        elif p.required:
            raise QueryError(f"query {query.name!r} needs {p.name}=... ({p.description})")
        else:
            bound[p.name] = p.default
    return bound


def run_query(driver, name: str, params: dict | None = None, database: str | None = None
              ) -> list[dict]:
    """Run a library query in a read transaction; rows as dicts."""
    query = get_query(name)
    return _read(driver, query.text, bind_params(query, params or {}), database)


def run_cypher(driver, cypher: str, params: dict | None = None, database: str | None = None
               ) -> list[dict]:
    """Run ad-hoc Cypher read-only; a query that writes is refused with an explanation."""
    return _read(driver, cypher, params or {}, database)


def _read(driver, cypher: str, params: dict, database: str | None) -> list[dict]:
    try:
        with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            return session.execute_read(lambda tx: tx.run(cypher, params).data())
    except ClientError as exc:
        if exc.code in ("Neo.ClientError.Statement.AccessMode",
                        "Neo.ClientError.Security.Forbidden"):
            raise QueryError(
                "this query writes; newsgraph query --cypher runs read-only (the graph is a "
                "projection of the record and is rebuilt by `newsgraph sync`). Change the data "
                f"in the record instead, or use a read query. Neo4j said: {exc.message}"
            ) from None
        if exc.code.startswith(("Neo.ClientError.Statement.", "Neo.ClientError.Procedure.")):
            # the query text or its parameters are wrong: the user's to fix, not a crash
            raise QueryError(f"Neo4j rejected the query ({exc.code.rsplit('.', 1)[-1]}): "
                             f"{exc.message}") from None
        raise
