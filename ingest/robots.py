"""robots.txt: fetch once per origin, cache in the crawl database, obey (RFC 9309).

Why not urllib.robotparser: it applies the first matching rule and treats "*" and
"$" literally, while sites write rules for the RFC semantics (longest match wins,
wildcards). A crawler that gets this wrong either fetches what it was asked not to
or skips whole sections. Crawl-delay (non-standard, widely used) is honoured too.

Unavailable robots.txt (4xx) means no restrictions; unreachable (5xx, 429, network
failure) means "crawl nothing for now" and is re-checked after a short while.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from ingest.fetch import Fetcher
from ingest.frontier import iso, utc_now
from ingest.urls import origin_of

TTL = timedelta(days=1)
UNREACHABLE_TTL = timedelta(hours=1)
MAX_CRAWL_DELAY = 60.0   # seconds; larger values would stall a nightly run for one host


@dataclass
class Rule:
    allow: bool
    pattern: str

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern)


@dataclass
class Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass
class RobotsRules:
    """The rules of one robots.txt that apply to our user agent."""

    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    disallow_all: bool = False      # robots.txt unreachable: crawl nothing until re-checked

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        path = _normalize_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.path == "/robots.txt":
            return True
        if self.disallow_all:
            return False
        best: Rule | None = None
        for rule in self.rules:
            if rule.regex.match(path) and (best is None or len(rule.pattern) > len(best.pattern)
                                           or (len(rule.pattern) == len(best.pattern) and rule.allow)):
                best = rule
        return best is None or best.allow


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = _normalize_path(pattern[:-1] if anchored else pattern)
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def _normalize_path(path: str) -> str:
    """Decode percent-escapes of unreserved characters so /%7Euser and /~user match alike."""
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: _unescape(m.group(1)), path)


def _unescape(hex_pair: str) -> str:
    char = unquote("%" + hex_pair)
    return char if re.fullmatch(r"[A-Za-z0-9\-._~]", char) else "%" + hex_pair.upper()


def agent_token(user_agent: str) -> str:
    """Product token of a User-Agent ("newsgraph/0.1 (+...)" -> "newsgraph")."""
    return user_agent.split("/")[0].split()[0].strip().lower()


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """Rules for `user_agent` from robots.txt text: its own groups, else the "*" groups."""
    groups: list[Group] = []
    sitemaps: list[str] = []
    current: Group | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or current.rules or current.crawl_delay is not None:
                current = Group()
                groups.append(current)
            current.agents.append(value.lower())
        elif key in ("allow", "disallow") and current is not None:
            if value:
                current.rules.append(Rule(key == "allow", value))
        elif key == "crawl-delay" and current is not None:
            try:
                current.crawl_delay = float(value)
            except ValueError:
                pass
        elif key == "sitemap" and value:
            sitemaps.append(value)
    token = agent_token(user_agent)
    mine = [g for g in groups if any(agent_token(a) == token for a in g.agents if a != "*")]
    chosen = mine or [g for g in groups if "*" in g.agents]
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsRules(
        rules=[rule for group in chosen for rule in group.rules],
        crawl_delay=min(max(delays), MAX_CRAWL_DELAY) if delays else None,
        sitemaps=sitemaps,
    )


class RobotsCache:
    """Per-origin robots rules: memory, then the robots_cache table, then the network.

    Used from one thread (the crawl coordinator), like the connection it is given.
    """

    def __init__(self, conn: sqlite3.Connection, fetcher: Fetcher, user_agent: str | None = None,
                 *, ttl: timedelta = TTL, clock=utc_now) -> None:
        self.conn = conn
        self.fetcher = fetcher
        self.user_agent = user_agent or fetcher.config.user_agent
        self.ttl = ttl
        self.clock = clock
        self._memory: dict[str, tuple[datetime, RobotsRules]] = {}

    def cached(self, url: str) -> RobotsRules | None:
        """Unexpired rules for the URL's origin from memory or the database; None if a download is due."""
        origin = origin_of(url)
        now = self.clock()
        remembered = self._memory.get(origin)
        if remembered and remembered[0] > now:
            return remembered[1]
        row = self.conn.execute("SELECT status, body, expires_at FROM robots_cache WHERE host = ?", (origin,)).fetchone()
        if not row or row[2] <= iso(now):
            return None
        rules = self._interpret(row[0], row[1] or "")
        self._memory[origin] = (datetime.fromisoformat(row[2]), rules)
        return rules

    def rules(self, url: str, *, allow_private: bool | None = None) -> RobotsRules:
        rules = self.cached(url)
        if rules is not None:
            return rules
        origin = origin_of(url)
        status, body, expires = self._download(origin, self.clock(), allow_private)
        rules = self._interpret(status, body)
        self._memory[origin] = (expires, rules)
        return rules

    def _download(self, origin: str, now: datetime, allow_private: bool | None) -> tuple[int | None, str, datetime]:
        result = self.fetcher.get(f"{origin}/robots.txt", allow_private=allow_private, accept=())
        reachable = result.status is not None and result.status < 500 and result.status != 429
        expires = now + (self.ttl if reachable else UNREACHABLE_TTL)
        body = result.text() if result.ok else ""
        self.conn.execute(
            "INSERT INTO robots_cache (host, status, body, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(host) DO UPDATE SET status = excluded.status, body = excluded.body,"
            " fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
            (origin, result.status if reachable else None, body, iso(now), iso(expires)))
        self.conn.commit()
        return (result.status if reachable else None), body, expires

    def _interpret(self, status: int | None, body: str) -> RobotsRules:
        if status is None:
            return RobotsRules(disallow_all=True)
        if status == 200:
            return parse_robots(body, self.user_agent)
        return RobotsRules()   # 3xx loop, 4xx: no robots.txt, no restrictions
