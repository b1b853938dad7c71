"""URL canonicalization and outlet domains.

Why: the same article reaches us under many spellings (tracking parameters from
newsletters and social media, default ports, fragments, reordered queries, mixed-case
hosts). The frontier dedupes on `canonicalize(url)`, and the record identifies an
article by it, so the rules here decide what counts as "the same page".
Only changes that never alter which resource a server returns are made: the path
keeps its case and trailing slash.
"""
from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from importlib import resources
from urllib.parse import SplitResult, quote, unquote_plus, urlsplit, urlunsplit

from courlan import extract_domain

DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


@lru_cache(maxsize=1)
def tracking_params() -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact names, glob patterns) from data/tracking_params.txt, lower-cased."""
    text = resources.files("ingest").joinpath("data/tracking_params.txt").read_text(encoding="utf-8")
    names = [line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    exact = frozenset(n for n in names if "*" not in n)
    globs = tuple(n for n in names if "*" in n)
    return exact, globs


def is_tracking_param(name: str) -> bool:
    exact, globs = tracking_params()
    lowered = name.lower()
    return lowered in exact or any(fnmatch.fnmatchcase(lowered, g) for g in globs)


def _normalize_percent(part: str) -> str:
    """Upper-case percent escapes and decode the ones that encode unreserved characters."""
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()
    return _PERCENT.sub(fix, part)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so /a/./b/../c and /a/c are one URL."""
    if "." not in path:
        return path
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def _query_parts(query: str) -> list[str]:
    """Raw "key=value" parts without tracking parameters, escapes normalized, nothing decoded
    (so "?article8532" stays as it is and "%DC" is not turned into a UTF-8 replacement)."""
    kept = []
    for part in query.split("&"):
        if part and not is_tracking_param(unquote_plus(part.split("=", 1)[0])):
            kept.append(_normalize_percent(quote(part, safe="=/:@!$'()*+,;~-._%?")))
    return kept


def _netloc(parts: SplitResult, scheme: str) -> str:
    host = _host(parts.hostname or "")
    if ":" in host:                       # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:                    # keep credentials only if present (rare, but meaningful)
        netloc = parts.username + (f":{parts.password}" if parts.password else "") + "@" + netloc
    return netloc


def canonicalize(url: str) -> str:
    """A stable spelling of `url`: lower-case scheme and host, no default port, no
    fragment, no tracking parameters, query parameters sorted, percent-escapes
    normalized, path dot-segments removed. Used as the identity of a page.

    Non-http(s) URLs (file:, mailto:) are returned with only the fragment removed.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    path = _remove_dot_segments(_normalize_percent(quote(parts.path, safe="/%:@!$&'()*+,;=~-._"))) or "/"
    return urlunsplit((scheme, _netloc(parts, scheme), path, "&".join(sorted(_query_parts(parts.query))), ""))


def strip_tracking(url: str) -> str:
    """`url` as given, minus fragment and tracking parameters: what the crawler requests.

    Unlike canonicalize() it keeps parameter order and the path as written, because
    some servers care about both."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in DEFAULT_PORTS:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "&".join(_query_parts(parts.query)), ""))


def host_of(url: str) -> str:
    """Lower-case host[:port] of an http(s) URL: the unit of politeness."""
    parts = urlsplit(url)
    host = _host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port in (None, DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"


def origin_of(url: str) -> str:
    """scheme://host[:port], the scope of a robots.txt file."""
    return f"{urlsplit(url).scheme.lower()}://{host_of(url)}"


def registered_domain(url: str) -> str:
    """The registrable domain ("news.bbc.co.uk" -> "bbc.co.uk"); for IP addresses and
    single-label hosts (localhost) the host itself; "" when the URL has no host."""
    host = _host(urlsplit(url).hostname or "")
    if not host:
        return ""
    domain = extract_domain(f"http://{host}/") or (host[4:] if host.startswith("www.") else host)
    return _display(domain)


def _display(host: str) -> str:
    """Unicode spelling of an IDNA host, for people reading source names."""
    try:
        return host.encode("ascii").decode("idna") if "xn--" in host else host
    except UnicodeError:
        return host
