"""Plain dataclasses passed between the ingest modules and handed to the pipeline.

`Document` is the one thing the rest of newsgraph sees from ingest: an input whose
main text has been extracted and whose provenance (url, outlet, date) is known.
`InputError` is how any ingest step says "this input could not become a Document";
it carries a short machine `reason` (for counting and retry decisions) and a
human `message` that says what to do next.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class Document:
    """One input with its main text extracted, ready for NLP."""

    url: str                # original URL, or file:// URI for local files
    canonical_url: str      # rel=canonical / og:url when trustworthy, tracking params stripped; else url
    source: str             # outlet: og:site_name / sitename, else registered domain (www. stripped)
    title: str | None
    author: str | None
    published: str | None   # ISO date YYYY-MM-DD
    language: str | None    # html lang / detected; None if unknown (NLP decides)
    text: str               # main text, paragraphs separated by "\n", no markup
    content_hash: str       # sha256 hex of the whitespace-normalized text
    fetched_at: str         # ISO 8601 UTC
    links: list[tuple[str, str]] = field(default_factory=list)  # (anchor text, absolute href) inside main text
    raw_bytes: int = 0      # size of the input as received (after HTTP decompression)
    warnings: list[str] = field(default_factory=list)  # non-fatal problems, e.g. bytes replaced while decoding


@dataclass
class InputFailure:
    """A recorded failure: which input, a machine reason, and what to do about it."""

    input: str
    reason: str
    message: str


class InputError(Exception):
    """Raised when an input cannot become a Document.

    An exception (not a return value) so that a batch loop can `except InputError`
    around each input and keep going; `.failure` is the plain record to collect.
    """

    def __init__(self, input: str, reason: str, message: str) -> None:  # noqa: A002 - field name of the contract
        super().__init__(input, reason, message)
        self.input = input
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.input}: {self.message} [{self.reason}]"

    @property
    def failure(self) -> InputFailure:
        return InputFailure(self.input, self.reason, self.message)


@dataclass
class FetchResult:
    """Outcome of one HTTP GET (after redirects and retries).

    `error` is None on success (status 200) and for 304 (`unchanged`); otherwise a
    short reason such as "http_404", "timeout", "too_large", "redirect_loop".
    """

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)   # lower-cased names
    body: bytes = b""
    encoding: str | None = None
    error: str | None = None
    message: str = ""
    redirects: list[str] = field(default_factory=list)
    retry_after: float | None = None    # seconds the server asked us to wait (429/503), if any
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def unchanged(self) -> bool:
        return self.error is None and self.status == 304

    def text(self) -> str:
        """Body decoded with the detected encoding (undecodable bytes replaced)."""
        return self.body.decode(self.encoding or "utf-8", errors="replace")


@dataclass
class SourceSpec:
    """One publishing outlet to crawl, as configured in the sources TOML."""

    name: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    lang: str | None = None
    max_pages: int | None = None
    delay: float | None = None          # seconds between requests to one host; None = crawl default
    allow_private: bool = False         # allow intranet / loopback addresses for this source
    max_age_days: float | None = None   # ignore articles published longer ago than this


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace collapsed, so re-wrapping does not count as a change."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
