"""The fetcher against a real local HTTP server: success, caching, retries, limits, safety."""
from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from httpserver import LocalServer, Reply, http_date

from ingest.fetch import Fetcher, FetchConfig, retry_after_seconds

ARTICLE = "<html><head><title>Test</title></head><body><p>Grüße aus Köln.</p></body></html>"


@pytest.fixture()
def server():
    with LocalServer() as srv:
        yield srv


def fetcher(**overrides) -> Fetcher:
    options = {"allow_private": True, "backoff_base": 0.05, "max_retries": 3, "read_timeout": 5.0}
    options.update(overrides)
    return Fetcher(FetchConfig(**options))


def test_200_returns_body_headers_and_encoding(server):
    server.page("/a", ARTICLE)
    result = fetcher(user_agent="newsgraph-test/1 (+mailto:ops@example.org)").get(server.url("/a"))
    assert result.ok and result.status == 200
    assert result.text() == ARTICLE
    assert result.encoding == "utf-8"
    assert result.headers["content-type"].startswith("text/html")
    assert server.requests[0].headers["User-Agent"] == "newsgraph-test/1 (+mailto:ops@example.org)"
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate, br"


def test_conditional_get_with_etag_gives_304_unchanged(server):
    server.page("/a", ARTICLE, etag='"v1"')
    first = fetcher().get(server.url("/a"))
    assert first.ok and first.headers["etag"] == '"v1"'
    second = fetcher().get(server.url("/a"), etag=first.headers["etag"])
    assert second.status == 304 and second.unchanged and second.error is None and second.body == b""
    assert server.requests[1].headers["If-None-Match"] == '"v1"'


def test_conditional_get_with_last_modified(server):
    stamp = http_date(time.time() - 3600)
    server.page("/a", ARTICLE, last_modified=stamp)
    second = fetcher().get(server.url("/a"), last_modified=fetcher().get(server.url("/a")).headers["last-modified"])
    assert second.unchanged


def test_500_then_success_is_retried(server):
    server.route("/flaky", Reply(500), Reply(503), Reply(body=ARTICLE))
    result = fetcher().get(server.url("/flaky"))
    assert result.ok and result.attempts == 3 and server.hits["/flaky"] == 3


def test_persistent_500_gives_up_after_max_retries(server):
    server.route("/down", Reply(500))
    result = fetcher(max_retries=2).get(server.url("/down"))
    assert result.error == "http_500" and server.hits["/down"] == 3


def test_429_honours_retry_after(server):
    server.route("/limited", Reply(429, headers={"Retry-After": "1"}), Reply(body=ARTICLE))
    result = fetcher().get(server.url("/limited"))
    assert result.ok and server.hits["/limited"] == 2


def test_retry_after_beyond_cap_is_returned_for_rescheduling(server):
    server.route("/limited", Reply(429, headers={"Retry-After": "3600"}), Reply(body=ARTICLE))
    result = fetcher(retry_after_max=5).get(server.url("/limited"))
    assert result.error == "http_429" and result.retry_after == 3600 and server.hits["/limited"] == 1


def test_retry_after_http_date():
    now = 1_700_000_000.0
    assert retry_after_seconds(http_date(now + 30), now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("soon") is None


def test_404_is_not_retried(server):
    result = fetcher().get(server.url("/missing"))
    assert result.error == "http_404" and server.hits["/missing"] == 1


def test_redirect_is_followed_and_recorded(server):
    server.redirect("/old", "/new", 301)
    server.page("/new", ARTICLE)
    result = fetcher().get(server.url("/old"))
    assert result.ok and result.final_url == server.url("/new") and result.redirects == [server.url("/new")]


def test_redirect_loop_is_detected(server):
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    result = fetcher().get(server.url("/a"))
    assert result.error == "redirect_loop"
    assert server.hits["/a"] == 1 and server.hits["/b"] == 1


def test_too_many_redirects(server):
    for i in range(10):
        server.redirect(f"/r{i}", f"/r{i + 1}")
    server.page("/r10", ARTICLE)
    result = fetcher(max_redirects=3).get(server.url("/r0"))
    assert result.error == "too_many_redirects" and server.hits["/r4"] == 0
    assert fetcher(max_redirects=10).get(server.url("/r0")).ok


def test_redirect_to_other_scheme_is_refused(server):
    server.redirect("/a", "ftp://example.org/file")
    assert fetcher().get(server.url("/a")).error == "scheme"


def test_huge_body_is_cut_off(server):
    def stream():
        for _ in range(64):
            yield b"x" * 65536   # 4 MB, no Content-Length
    server.route("/huge", Reply(body=stream, content_length=False))
    result = fetcher(max_bytes=1024 * 1024).get(server.url("/huge"))
    assert result.error == "too_large" and result.body == b""


def test_declared_content_length_over_limit_is_refused_before_reading(server):
    server.page("/big", "y" * 300_000)
    assert fetcher(max_bytes=100_000).get(server.url("/big")).error == "too_large"


def test_gzip_body_is_decoded(server):
    server.page("/z", ARTICLE, gzip=True)
    result = fetcher().get(server.url("/z"))
    assert result.ok and result.text() == ARTICLE


def test_deflate_body_is_decoded_zlib_and_raw(server):
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    server.page("/zlib", zlib.compress(ARTICLE.encode()), raw_encoding="deflate")
    server.page("/raw", raw.compress(ARTICLE.encode()) + raw.flush(), raw_encoding="deflate")
    assert fetcher().get(server.url("/zlib")).text() == ARTICLE
    assert fetcher().get(server.url("/raw")).text() == ARTICLE


def test_gzip_bomb_is_refused(server):
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)
    server.page("/bomb", bomb, raw_encoding="gzip")
    result = fetcher(max_bytes=2 * 1024 * 1024).get(server.url("/bomb"))
    assert len(bomb) < 2 * 1024 * 1024
    assert result.error in ("decompression_bomb", "too_large") and result.body == b""


def test_brotli_body_is_decoded(server):
    server.page("/br", brotli.compress(ARTICLE.encode()), raw_encoding="br")
    # larger than one read, and not very compressible: decoded across many calls
    long = "".join(f"<p>Absatz {i}: {i * 7919 % 104729} Einwohner, {i * i} Euro.</p>" for i in range(40_000))
    server.page("/br-long", brotli.compress(long.encode(), quality=5), raw_encoding="br")
    assert fetcher().get(server.url("/br")).text() == ARTICLE
    result = fetcher().get(server.url("/br-long"))
    assert result.ok and result.text() == long and len(result.body) > 1024 * 1024


def test_brotli_bomb_is_refused_without_being_decoded_whole(server):
    compressor = brotli.Compressor(quality=1)
    zeros = b"\0" * (1024 * 1024)
    bomb = b"".join(compressor.process(zeros) for _ in range(256)) + compressor.finish()   # 256 MB decoded
    server.page("/bomb", bomb, raw_encoding="br")
    tracemalloc.start()
    try:
        result = fetcher(max_bytes=2 * 1024 * 1024).get(server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(bomb) < 1024 * 1024
    assert result.error == "decompression_bomb" and result.body == b""
    assert peak < 32 * 1024 * 1024


def test_corrupt_brotli_is_a_content_encoding_failure(server):
    server.page("/bad", b"this is not brotli at all" * 10, raw_encoding="br")
    assert fetcher().get(server.url("/bad")).error == "content_encoding"


def test_header_charset_contradicted_by_utf8_body(server):
    html = '<html><head><meta charset="utf-8"></head><body><p>Straße, Größe, Übermaß</p></body></html>'
    server.page("/wrong", html, content_type="text/html; charset=iso-8859-1")
    result = fetcher().get(server.url("/wrong"))
    assert result.encoding == "utf-8" and "Straße, Größe, Übermaß" in result.text()


def test_meta_charset_used_when_header_is_wrong_about_utf8(server):
    html = '<html><head><meta charset="windows-1252"></head><body><p>Straße, Größe, Übermaß</p></body></html>'
    server.page("/legacy", html.encode("cp1252"), content_type="text/html; charset=utf-8")
    result = fetcher().get(server.url("/legacy"))
    assert result.encoding == "cp1252" and "Straße, Größe, Übermaß" in result.text()


def test_non_html_content_type_is_refused(server):
    server.page("/doc.pdf", b"%PDF-1.7 binary", content_type="application/pdf")
    result = fetcher().get(server.url("/doc.pdf"))
    assert result.error == "content_type" and "application/pdf" in result.message


def test_loopback_refused_unless_allow_private(server):
    server.page("/a", ARTICLE)
    refused = fetcher(allow_private=False).get(server.url("/a"))
    assert refused.error == "private_address" and server.hits["/a"] == 0
    by_name = fetcher(allow_private=False).get(f"http://localhost:{server.port}/a")
    assert by_name.error == "private_address"
    assert fetcher(allow_private=False).get(server.url("/a"), allow_private=True).ok


def test_unsupported_scheme_is_refused():
    assert fetcher().get("file:///etc/passwd").error == "scheme"


def test_connection_refused_is_a_result_not_an_exception():
    with LocalServer() as srv:
        dead = srv.url("/gone")
    result = fetcher(max_retries=1).get(dead)
    assert result.error == "connection_error" and result.attempts == 2


def test_read_timeout_is_reported(server):
    server.route("/slow", Reply(body=ARTICLE, delay=2.0))
    result = fetcher(read_timeout=0.3, max_retries=0).get(server.url("/slow"))
    assert result.error == "timeout"


def test_dropped_connection_then_success(server):
    server.route("/drop", Reply(drop=True), Reply(body=ARTICLE))
    result = fetcher().get(server.url("/drop"))
    assert result.ok and server.hits["/drop"] == 2


def test_unadvertised_content_encoding_is_refused(server):
    server.page("/zstd", b"\x28\xb5\x2f\xfd hello", raw_encoding="zstd")
    result = fetcher().get(server.url("/zstd"))
    assert result.error == "content_encoding" and "zstd" in result.message


class _KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with persistent connections (the shared test server closes every one)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.peers.append(self.client_address)
        if self.path == "/moved":
            self._answer(301, b"<a href=/a>moved</a>", Location="/a")
        elif self.path == "/missing":
            self._answer(404, b"<html><body>not here</body></html>")
        elif self.headers.get("If-None-Match") == '"v1"':
            self._answer(304, None, ETag='"v1"')
        else:
            self._answer(200, ARTICLE.encode(), ETag='"v1"')

    def _answer(self, status: int, body: bytes | None, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body is not None:
            self.wfile.write(body)


def test_connection_is_kept_for_304_redirect_and_error_answers():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveHandler)
    httpd.daemon_threads = True
    httpd.peers = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with fetcher() as f:
            assert f.get(url + "/a").ok
            assert all(f.get(url + "/a", etag='"v1"').unchanged for _ in range(5))
            assert f.get(url + "/missing").error == "http_404"
            moved = f.get(url + "/moved")
            assert moved.ok and moved.redirects == [url + "/a"]
        assert len(httpd.peers) == 9 and len(set(httpd.peers)) == 1   # nine requests, one connection
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_connections_are_kept_open_between_requests_when_the_server_allows():
    with LocalServer(keep_alive=True) as srv:
        srv.page("/a", ARTICLE)
        srv.page("/b", ARTICLE, etag='"v1"')
        srv.route("/gone", Reply(404, body="not found"))
        srv.route("/stream", Reply(body=lambda: [b"<html><body><p>", b"ohne Laenge</p></body></html>"]))
        with fetcher() as f:
            results = [f.get(srv.url(p)) for p in ("/a", "/b", "/gone", "/a")]
            assert f.get(srv.url("/b"), etag='"v1"').status == 304
            assert f.get(srv.url("/stream")).text().endswith("ohne Laenge</p></body></html>")
            assert f.get(srv.url("/a")).ok
        assert [r.status for r in results] == [200, 200, 404, 200]
        ports = [r.client_port for r in srv.requests]
        assert len(set(ports[:6])) == 1            # one connection for everything with a length
        assert ports[6] != ports[5]                # the body that ended at close took that connection along
