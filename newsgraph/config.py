"""Settings for one newsgraph invocation, from options, environment and an optional TOML file.

Precedence: command-line option > environment variable > `newsgraph.toml`
(in the current directory, or the file named by NEWSGRAPH_CONFIG) > default.
Nothing here is global: the CLI builds one `Settings` and passes it down.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_DB = ".newsgraph/record.db"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass
class Settings:
    db: Path = Path(DEFAULT_DB)
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    # NLP: trained spaCy pipelines to use when installed, e.g. {"de": "de_core_news_md"}.
    spacy_models: dict[str, str] = field(default_factory=dict)
    # Sentence-transformers model for linking: a path or name; None = bundled all-MiniLM-L6-v2.
    embedding_model: str | None = None
    # Arithmetic of large embedding jobs: "auto" (bfloat16 on a CPU with AMX), "float32", "bfloat16".
    embedding_precision: str | None = None
    rates_file: Path | None = None
    max_file_bytes: int = 20 * 1024 * 1024


ENV = {
    "db": "NEWSGRAPH_DB",
    "neo4j_uri": "NEO4J_URI",
    "neo4j_user": "NEO4J_USER",
    "neo4j_password": "NEO4J_PASSWORD",
    "neo4j_database": "NEO4J_DATABASE",
    "embedding_model": "NEWSGRAPH_EMBEDDING_MODEL",
    "embedding_precision": "NEWSGRAPH_EMBEDDING_PRECISION",
}


def load_settings(overrides: dict | None = None, env: dict | None = None,
                  config_file: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    values: dict = {}
    path = config_file or (Path(env["NEWSGRAPH_CONFIG"]) if env.get("NEWSGRAPH_CONFIG") else None)
    if path is None and Path("newsgraph.toml").is_file():
        path = Path("newsgraph.toml")
    if path is not None:
        values.update(_read_toml(path))
    for name, var in ENV.items():
        if env.get(var):
            values[name] = env[var]
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = value
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(sorted(unknown))} in {path}; "
            f"known settings: {', '.join(sorted(known))}"
        )
    for name in ("db", "rates_file"):
        if values.get(name) is not None:
            values[name] = Path(values[name])
    precision = values.get("embedding_precision")
    if precision is not None:
        from graph.embeddings import PRECISIONS
        if precision not in PRECISIONS:
            raise ConfigError(f"embedding_precision {precision!r} (from {path or 'the environment or options'}) "
                              f"is not one of {', '.join(PRECISIONS)}; \"auto\" is the default")
    return Settings(**values)


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found; create it or unset NEWSGRAPH_CONFIG") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return data.get("newsgraph", data)
