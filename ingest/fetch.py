"""HTTP GET for crawling: safe, bounded, retrying, conditional.

Why hand-rolled on urllib3 rather than a plain `urlopen`: a nightly crawler talks
to thousands of servers it does not control. Every redirect hop is followed here so
that each one is checked (scheme, private addresses, loops); bodies are streamed and
decompressed incrementally (gzip, deflate, brotli) so that a huge or bomb response is
cut off at `max_bytes` without ever being decoded whole;
transient failures are retried with exponential backoff and jitter, honouring
Retry-After; and ETag/Last-Modified make re-crawls cheap (304 = unchanged).
The result is always a `FetchResult`, never an exception: a failure is data.
"""
from __future__ import annotations

import ipaddress
import random
import socket
import time
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit

import brotli
import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    LocationValueError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from ingest.decode import detect_encoding
from ingest.types import FetchResult

DEFAULT_CONTENT_TYPES = (
    "text/html", "application/xhtml+xml", "text/plain",
    "application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml",
)
GZIP_TYPES = ("application/gzip", "application/x-gzip")   # e.g. sitemap.xml.gz served as a file
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
TRANSIENT_ERRORS = frozenset({"timeout", "connection_error"})
CHUNK = 64 * 1024
DRAIN_MAX = 64 * 1024    # a rest of a response up to this size is read, to keep its connection
# Only codings decoded here with a size limit (brotli >= 1.2 bounds each call's output);
# a server that sends another coding anyway gets "content_encoding".
ACCEPT_ENCODING = "gzip, deflate, br"
CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "br": "br"}


def _newsgraph_version() -> str:
    try:
        return version("newsgraph")
    except PackageNotFoundError:
        return "0.1.0"


def default_user_agent(contact: str = "https://github.com/newsgraph/newsgraph") -> str:
    """Identifies the crawler and how to reach its operator (robots.txt and abuse contacts use it)."""
    return f"newsgraph/{_newsgraph_version()} (+{contact})"


@dataclass
class FetchConfig:
    user_agent: str = default_user_agent()
    connect_timeout: float = 10.0
    read_timeout: float = 30.0          # per socket read
    total_timeout: float = 120.0        # whole body, so a slow-drip server cannot hold a worker forever
    max_retries: int = 3                # transient failures, per get()
    backoff_base: float = 1.0           # seconds; doubled every retry, with jitter
    backoff_max: float = 60.0
    retry_after_max: float = 120.0      # a longer Retry-After ends the attempt (the frontier reschedules)
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024   # decoded body size limit
    content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
    allow_private: bool = False         # fetch loopback/private/link-local addresses (tests, intranets)
    accept_language: str | None = None
    pool_maxsize: int = 10              # connections kept per host
    verify_tls: bool = True


class PrivateAddressError(NewConnectionError):
    """The connected peer is not a public address (checked after connect, so DNS rebinding cannot slip through)."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global


class _PublicOnlyHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if not is_public_address(peer):
            sock.close()
            raise PrivateAddressError(self, f"connection to non-public address {peer} refused")
        return sock


class _PublicOnlyHTTPSConnection(_PublicOnlyHTTPConnection, HTTPSConnection):
    pass


class _PublicOnlyHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _PublicOnlyHTTPConnection


class _PublicOnlyHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PublicOnlyHTTPSConnection


def _pool_manager(config: FetchConfig, public_only: bool) -> urllib3.PoolManager:
    tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": certifi.where()} if config.verify_tls else {"cert_reqs": "CERT_NONE"}
    manager = urllib3.PoolManager(num_pools=100, maxsize=config.pool_maxsize, block=False, **tls)
    if public_only:
        manager.pool_classes_by_scheme = {"http": _PublicOnlyHTTPConnectionPool, "https": _PublicOnlyHTTPSConnectionPool}
    return manager


class _Failure(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class _Inflater:
    """Incremental decoder for one Content-Encoding that refuses to grow past a limit."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._started = False
        if coding == "br":
            self._br = brotli.Decompressor()
        else:
            self._d = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decompressed bytes of `data`; raises _Failure if they would exceed `room`."""
        if self.coding == "br":
            return self._feed_brotli(data, room)
        try:
            out = self._d.decompress(data, room + 1)
        except zlib.error:
            if self.coding != "deflate" or self._started:
                raise _Failure("content_encoding", f"corrupt {self.coding} data") from None
            # "deflate" is sent both zlib-wrapped (per RFC) and raw (old IIS); retry raw once
            self._d = zlib.decompressobj(-zlib.MAX_WBITS)
            self._started = True
            return self.feed(data, room)
        self._started = True
        if len(out) > room:
            raise _Failure("decompression_bomb", "the compressed response expands beyond max_bytes")
        return out

    def _feed_brotli(self, data: bytes, room: int) -> bytes:
        """Like zlib's max_length: each call's output stops near its limit, and output the
        decoder still holds is drained (empty input) before it may take more data."""
        out = bytearray()
        try:
            out += self._br.process(data, output_buffer_limit=room + 1)
            while len(out) <= room and not self._br.can_accept_more_data():
                more = self._br.process(b"", output_buffer_limit=room - len(out) + 1)
                if not more:
                    raise _Failure("content_encoding", "corrupt br data")
                out += more
        except brotli.error:
            raise _Failure("content_encoding", "corrupt br data") from None
        if len(out) > room:
            raise _Failure("decompression_bomb", "the compressed response expands beyond max_bytes")
        return bytes(out)


def inflate(data: bytes, coding: str, limit: int) -> bytes:
    """Decompress a whole gzip/deflate payload (e.g. sitemap.xml.gz served as a file),
    refusing output beyond `limit`. Raises ValueError on corrupt data or a bomb."""
    try:
        return _Inflater(coding).feed(data, limit)
    except _Failure as failure:
        raise ValueError(failure.message) from None


def _media_type(content_type: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in content_type.split(";")]
    charset = next((p.split("=", 1)[1].strip("\"' ") for p in parts[1:] if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """Thread-safe: one instance is shared by the crawl's worker threads."""

    def __init__(self, config: FetchConfig | None = None) -> None:
        self.config = config or FetchConfig()
        self._pools = {True: _pool_manager(self.config, True), False: _pool_manager(self.config, False)}

    def close(self) -> None:
        for pool in self._pools.values():
            pool.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------------
    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        allow_private: bool | None = None,
        accept: tuple[str, ...] | None = None,
    ) -> FetchResult:
        """GET `url` with retries. `accept` overrides the content-type allow-list (an empty
        tuple accepts anything, e.g. for robots.txt)."""
        private_ok = self.config.allow_private if allow_private is None else allow_private
        types = self.config.content_types if accept is None else accept
        attempt = 0
        while True:
            attempt += 1
            result = self._get_once(url, etag, last_modified, private_ok, types)
            result.attempts = attempt
            transient = result.error in TRANSIENT_ERRORS or result.status in TRANSIENT_STATUSES
            if not transient or attempt > self.config.max_retries:
                return result
            wait = result.retry_after if result.retry_after is not None else self._backoff(attempt)
            if wait > self.config.retry_after_max:
                result.message += f" (server asks to wait {wait:.0f}s; rescheduled instead of waiting)"
                return result
            time.sleep(wait)

    # -- internals -------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _headers(self, etag: str | None, last_modified: str | None) -> dict[str, str]:
        headers = {
            "User-Agent": self.config.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if self.config.accept_language:
            headers["Accept-Language"] = self.config.accept_language
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _check_target(self, url: str, private_ok: bool) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise _Failure("scheme", f"only http and https URLs are fetched, not {parts.scheme or 'a relative URL'}")
        if not parts.hostname:
            raise _Failure("invalid_url", "the URL has no host name")
        if private_ok:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 80, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as err:
            raise _Failure("dns_error", f"cannot resolve {parts.hostname}: {err}") from err
        private = sorted({info[4][0] for info in infos if not is_public_address(info[4][0])})
        if private:
            raise _Failure("private_address",
                           f"{parts.hostname} resolves to non-public address {private[0]}; "
                           "set allow_private for intranet sources")

    def _get_once(self, url: str, etag: str | None, last_modified: str | None,
                  private_ok: bool, types: tuple[str, ...]) -> FetchResult:
        result = FetchResult(url=url, final_url=url)
        deadline = time.monotonic() + self.config.total_timeout
        try:
            response = self._follow_redirects(result, self._headers(etag, last_modified), private_ok)
            try:
                self._read(result, response, types, deadline)
            finally:
                response.release_conn()
        except _Failure as failure:
            result.error, result.message = failure.reason, failure.message
        except Exception as err:   # noqa: BLE001 - every network failure must become a FetchResult
            result.error, result.message = _classify(err)
        return result

    def _follow_redirects(self, result: FetchResult, headers: dict[str, str], private_ok: bool) -> urllib3.BaseHTTPResponse:
        current = result.url
        seen = {current}
        timeout = urllib3.Timeout(connect=self.config.connect_timeout, read=self.config.read_timeout)
        for _ in range(self.config.max_redirects + 1):
            self._check_target(current, private_ok)
            response = self._pools[not private_ok].urlopen(
                "GET", current, headers=headers, redirect=False, retries=False,
                preload_content=False, decode_content=False, timeout=timeout)
            result.final_url = current
            location = response.headers.get("Location")
            if response.status not in REDIRECT_STATUSES or not location:
                return response
            _discard(response)
            response.release_conn()
            target = urljoin(current, location.strip())
            result.redirects.append(target)
            if target in seen:
                raise _Failure("redirect_loop", f"redirect loop: {target} was already visited")
            seen.add(target)
            current = target
        raise _Failure("too_many_redirects", f"more than {self.config.max_redirects} redirects")

    def _read(self, result: FetchResult, response: urllib3.BaseHTTPResponse,
              types: tuple[str, ...], deadline: float) -> None:
        result.status = response.status
        result.headers = {k.lower(): v for k, v in response.headers.items()}
        if response.status != 200:
            _discard(response)
            if response.status != 304:
                result.error = f"http_{response.status}"
                result.message = f"the server answered HTTP {response.status}"
                result.retry_after = retry_after_seconds(result.headers.get("retry-after"))
            return
        media, charset = _media_type(result.headers.get("content-type", ""))
        gzip_file = media in GZIP_TYPES and (not types or any(t in GZIP_TYPES for t in types))
        if types and media and media not in types and not gzip_file:
            response.close()
            raise _Failure("content_type", f"the server sent {media}; only {', '.join(types)} are fetched")
        coding = result.headers.get("content-encoding", "identity").strip().lower()
        if coding in ("", "identity") and gzip_file:
            coding = "gzip"
        if coding not in ("identity", "") and coding not in CODINGS:
            response.close()
            raise _Failure("content_encoding", f"unsupported Content-Encoding {coding!r}")
        inflater = _Inflater(CODINGS[coding]) if coding in CODINGS else None
        limit = self.config.max_bytes
        declared = result.headers.get("content-length", "")
        if inflater is None and declared.isdigit() and int(declared) > limit:
            response.close()
            raise _Failure("too_large", f"the response is {int(declared)} bytes, above max_bytes={limit}")
        body = bytearray()
        for chunk in response.stream(CHUNK, decode_content=False):
            if time.monotonic() > deadline:
                response.close()
                raise _Failure("timeout", f"the body took longer than {self.config.total_timeout:.0f}s")
            if inflater is not None:
                try:
                    body += inflater.feed(chunk, limit - len(body))
                except _Failure:
                    response.close()
                    raise
            elif len(body) + len(chunk) > limit:
                response.close()
                raise _Failure("too_large", f"the response is larger than max_bytes={limit}")
            else:
                body += chunk
        result.body = bytes(body)
        result.encoding = detect_encoding(result.body, charset) if result.body else charset


def _discard(response: urllib3.BaseHTTPResponse) -> None:
    """Skip a body we do not want (304, redirect, error page). A short one is read, so that
    the connection goes back to the pool for the next request to the host (re-runs are
    mostly 304s; a new TLS connection each costs more than the request); a long or
    unknown-length one closes the connection instead of reading it."""
    length = response.headers.get("Content-Length", "")
    if response.status in (204, 304) or (length.isdigit() and int(length) <= DRAIN_MAX):
        response.drain_conn()
    else:
        response.close()


def _classify(err: Exception) -> tuple[str, str]:
    """Short reason and message for a network exception."""
    table: tuple[tuple[type[BaseException], str], ...] = (
        (PrivateAddressError, "private_address"),
        (NameResolutionError, "dns_error"),
        (SSLError, "tls_error"),
        (NewConnectionError, "connection_error"),
        (ConnectTimeoutError, "timeout"),
        (ReadTimeoutError, "timeout"),
        (socket.timeout, "timeout"),
        (LocationParseError, "invalid_url"),
        (LocationValueError, "invalid_url"),
        (ProtocolError, "connection_error"),
        (HTTPError, "connection_error"),
        (OSError, "connection_error"),
        (UnicodeError, "invalid_url"),
    )
    for kind, reason in table:
        if isinstance(err, kind):
            return reason, str(err)
    return "fetch_error", f"{type(err).__name__}: {err}"
