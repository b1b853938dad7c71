"""Load the sources TOML: which outlets to crawl, and how.

    [crawl]                       # optional; any FetchConfig / CrawlOptions field, plus "contact"
    contact = "mailto:ops@example.org"
    delay = 2.0
    concurrency = 4

    [[source]]
    name = "example-news"
    feeds = ["https://example.org/rss.xml"]
    sitemaps = ["https://example.org/news-sitemap.xml"]
    urls = []
    lang = "de"
    max_pages = 200

Why strict: a typo in a nightly job's config ("feed =" instead of "feeds =") would
otherwise crawl nothing, silently. Every error names the file, the table and the key.
"""
from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_args, get_type_hints

from ingest.crawl import CrawlOptions
from ingest.fetch import FetchConfig, default_user_agent
from ingest.types import SourceSpec
from ingest.urls import registered_domain

# [crawl] keys that are not plain settings of the two dataclasses
CRAWL_EXTRA_KEYS = {"contact"}
NOT_CONFIGURABLE = {"content_types", "pool_maxsize", "claim_batch"}
SOURCE_LISTS = ("feeds", "sitemaps", "urls")


class SourcesError(ValueError):
    """The sources file cannot be used; the message says where and why."""


@dataclass
class SourcesConfig:
    path: Path
    sources: list[SourceSpec] = field(default_factory=list)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    crawl: CrawlOptions = field(default_factory=CrawlOptions)


def _suggest(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _check_type(where: str, key: str, value: Any, hint: Any) -> Any:
    """Validate `value` against a dataclass field's type (bool, int, float, str, optionally None)."""
    allowed = set(get_args(hint)) - {type(None)} or {hint}
    if bool in allowed:
        if not isinstance(value, bool):
            raise SourcesError(f"{where}: {key} must be true or false, not {value!r}")
    elif int in allowed and float not in allowed:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SourcesError(f"{where}: {key} must be a whole number >= 0, not {value!r}")
    elif float in allowed:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SourcesError(f"{where}: {key} must be a number >= 0, not {value!r}")
        value = float(value)
    elif not isinstance(value, str) or not value.strip():
        raise SourcesError(f"{where}: {key} must be a non-empty string, not {value!r}")
    return value


def _crawl_settings(path: Path, table: Any) -> tuple[FetchConfig, CrawlOptions]:
    where = f"{path}: [crawl]"
    if not isinstance(table, dict):
        raise SourcesError(f"{where} must be a table")
    fetch_fields = {f.name: f for f in fields(FetchConfig) if f.name not in NOT_CONFIGURABLE}
    crawl_fields = {f.name: f for f in fields(CrawlOptions) if f.name not in NOT_CONFIGURABLE}
    known = set(fetch_fields) | set(crawl_fields) | CRAWL_EXTRA_KEYS
    fetch_values: dict[str, Any] = {}
    crawl_values: dict[str, Any] = {}
    fetch_types, crawl_types = get_type_hints(FetchConfig), get_type_hints(CrawlOptions)
    for key, value in table.items():
        if key not in known:
            raise SourcesError(f"{where}: unknown key {key!r}; {_suggest(key, known)}known keys: {', '.join(sorted(known))}")
        if key == "contact":
            if "user_agent" not in table:
                fetch_values["user_agent"] = default_user_agent(_check_type(where, key, value, str))
        elif key in fetch_fields:
            fetch_values[key] = _check_type(where, key, value, fetch_types[key])
        else:
            crawl_values[key] = _check_type(where, key, value, crawl_types[key])
    for key in ("concurrency", "per_host_concurrency", "max_redirects"):
        if key in crawl_values and crawl_values[key] < 1 or key in fetch_values and fetch_values[key] < 1:
            raise SourcesError(f"{where}: {key} must be at least 1")
    return replace(FetchConfig(), **fetch_values), replace(CrawlOptions(), **crawl_values)


def _source(path: Path, index: int, table: Any) -> SourceSpec:
    where = f"{path}: [[source]] #{index}"
    if not isinstance(table, dict):
        raise SourcesError(f"{where} must be a table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: missing 'name' (a short unique name for the outlet)")
    where = f"{where} ({name!r})"
    defaults = SourceSpec(name=name)
    known = {f.name for f in fields(SourceSpec)}
    hints = get_type_hints(SourceSpec)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise SourcesError(f"{where}: unknown key {key!r}; {_suggest(key, known)}known keys: {', '.join(sorted(known))}")
        if key in SOURCE_LISTS:
            if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
                raise SourcesError(f"{where}: {key} must be a list of URLs")
            bad = [u for u in value if not u.startswith(("http://", "https://"))]
            if bad:
                raise SourcesError(f"{where}: {key} contains {bad[0]!r}; only http:// and https:// URLs can be crawled")
            values[key] = list(value)
        elif key == "lang":
            if not isinstance(value, str) or not value.isalpha() or not 2 <= len(value) <= 3:
                raise SourcesError(f"{where}: lang must be a language code like \"de\" or \"en\", not {value!r}")
            values[key] = value.lower()
        elif key != "name":
            values[key] = _check_type(where, key, value, hints[key])
    if values.get("max_pages") == 0:
        raise SourcesError(f"{where}: max_pages must be at least 1 (remove the key for no limit)")
    spec = replace(defaults, **values)
    if not (spec.feeds or spec.sitemaps or spec.urls):
        raise SourcesError(f"{where}: nothing to crawl; give at least one of feeds, sitemaps or urls")
    return spec


def load_sources(path: Path | str) -> SourcesConfig:
    """Read and validate a sources TOML file. Raises SourcesError naming file, table and key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise SourcesError(f"{path}: file not found") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise SourcesError(f"{path}: not valid TOML: {err}") from err
    unknown = set(data) - {"crawl", "source"}
    if unknown:
        key = sorted(unknown)[0]
        raise SourcesError(f"{path}: unknown table or key {key!r}; {_suggest(key, {'crawl', 'source'})}"
                           "use [crawl] for options and [[source]] for each outlet")
    fetch, crawl = _crawl_settings(path, data.get("crawl", {}))
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise SourcesError(f"{path}: 'source' must be an array of tables: write [[source]], not [source]")
    sources = [_source(path, i, table) for i, table in enumerate(tables, start=1)]
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourcesError(f"{path}: source name {duplicates[0]!r} is used more than once; names must be unique")
    if not sources:
        raise SourcesError(f"{path}: no [[source]] tables; add at least one outlet to crawl")
    return SourcesConfig(path=path, sources=sources, fetch=fetch, crawl=crawl)


def specs_for_urls(urls: list[str], *, allow_private: bool = False, lang: str | None = None) -> list[SourceSpec]:
    """Ad-hoc article URLs (e.g. from the command line) as sources, one per registered
    domain, so that per-source counts and politeness work as for configured sources."""
    bad = [u for u in urls if not u.strip().startswith(("http://", "https://"))]
    if bad:
        raise SourcesError(f"{bad[0]!r} is not an http:// or https:// URL; only web pages can be crawled")
    grouped: dict[str, list[str]] = {}
    for url in urls:
        grouped.setdefault(registered_domain(url.strip()) or url.strip(), []).append(url.strip())
    return [SourceSpec(name=name, urls=members, allow_private=allow_private, lang=lang)
            for name, members in grouped.items()]
