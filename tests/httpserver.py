"""A real threaded HTTP server on 127.0.0.1 for tests, with routes and injectable faults.

Why not mocks: the fetcher's job is dealing with real sockets, real redirects,
real compression and real slow or misbehaving servers; only a real server shows
that it does. Routes map a path to a sequence of `Reply`s (the last one repeats),
so "500 then 200" or "429 with Retry-After then 200" are one line each.

    with LocalServer() as server:
        server.route("/a", Reply(500), Reply(body="<html>...</html>"))
        fetcher.get(server.url("/a"))
        assert server.hits["/a"] == 2

`LocalServer(keep_alive=True)` answers HTTP/1.1 and keeps connections open between
requests, as news sites do (a body without a length still ends at close).
"""
from __future__ import annotations

import gzip as gzip_module
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

Body = bytes | str | Callable[[], Iterable[bytes]]


@dataclass
class Reply:
    status: int = 200
    body: Body = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0                 # seconds to wait before answering
    gzip: bool = False                 # send body with Content-Encoding: gzip
    raw_encoding: str | None = None    # set Content-Encoding without compressing (body already encoded)
    etag: str | None = None            # answer 304 when If-None-Match matches
    last_modified: str | None = None   # answer 304 when If-Modified-Since matches exactly
    content_length: bool = True        # False: stream until the connection closes
    drop: bool = False                 # close the connection without any response


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    client_port: int = 0               # the client's side of the connection: one per connection


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"   # one request per connection: simple, and bodies may end at close

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        reply = self.server.owner._next_reply(self.path, dict(self.headers.items()), self.client_address[1])
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if reply.etag and self.headers.get("If-None-Match") == reply.etag or \
                reply.last_modified and self.headers.get("If-Modified-Since") == reply.last_modified:
            self.send_response(304)
            self._validators(reply)
            self.end_headers()
            return
        body = reply.body
        chunks: Iterable[bytes]
        if callable(body):
            chunks = body()
        else:
            data = body.encode("utf-8") if isinstance(body, str) else body
            chunks = [gzip_module.compress(data) if reply.gzip else data]
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        if reply.gzip or reply.raw_encoding:
            self.send_header("Content-Encoding", reply.raw_encoding or "gzip")
        self._validators(reply)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_length and not callable(body):
            self.send_header("Content-Length", str(sum(len(c) for c in chunks)))
        elif self.protocol_version != "HTTP/1.0":
            self.send_header("Connection", "close")     # the body ends where the connection does
            self.close_connection = True
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client gave up (e.g. body too large): expected in fault tests

    def _validators(self, reply: Reply) -> None:
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)


class _KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass   # clients that hang up mid-response are part of the fault tests


class LocalServer:
    """Serve registered routes on 127.0.0.1 (random free port) from a background thread."""

    def __init__(self, keep_alive: bool = False) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, list[Reply]] = {}
        self._served: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self._httpd = _Server(("127.0.0.1", 0), _KeepAliveHandler if keep_alive else _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply) -> None:
        """Answer requests for `path` (with or without its query; percent-escapes do not matter)
        with `replies` in order; the last repeats. `hits` counts by the decoded path."""
        with self._lock:
            self._routes[unquote(path)] = list(replies) or [Reply()]
            self._served[unquote(path)] = 0

    def page(self, path: str, html: str, **options: object) -> None:
        self.route(path, Reply(body=html, **options))  # type: ignore[arg-type]

    def redirect(self, path: str, target: str, status: int = 302) -> None:
        self.route(path, Reply(status=status, headers={"Location": target}, content_type=None))

    def _next_reply(self, raw_path: str, headers: dict[str, str], client_port: int = 0) -> Reply:
        path = unquote(raw_path) if unquote(raw_path) in self._routes else unquote(urlsplit(raw_path).path)
        with self._lock:
            self.hits[path] += 1
            self.requests.append(Request(raw_path, headers, client_port))
            replies = self._routes.get(path)
            if replies is None:
                return Reply(status=404, body="not found")
            index = min(self._served[path], len(replies) - 1)
            self._served[path] += 1
            return replies[index]

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)
