"""Local files and folders as inputs: which files, and each file -> Document or a clear failure.

Why the checks come before extraction: users point newsgraph at folders of saved
pages, and such folders hold PDFs, images, truncated downloads and odd encodings.
Each of these must become one named failure that says what to do, while the rest of
the batch goes on (callers iterate `iter_inputs` and catch `InputError` per file).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ingest.decode import UndecodableError, decode_bytes
from ingest.extract import document_from_text, extract_document, utc_timestamp
from ingest.types import Document, InputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
KIND_BY_SUFFIX = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".md": "markdown"}
SNIFF_BYTES = 8192
MARKUP_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<\?xml|<head|<body|<!--)", re.IGNORECASE)
MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def iter_inputs(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and supported files found recursively in folders
    (sorted, hidden files and folders skipped). A path that does not exist is
    yielded as is, so that load_file reports it like any other failure."""
    for path in map(Path, paths):
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(path).parts
                if found.is_file() and found.suffix.lower() in KIND_BY_SUFFIX \
                        and not any(part.startswith(".") for part in relative):
                    yield found
        else:
            yield path


@lru_cache(maxsize=1)
def binary_signatures() -> tuple[tuple[bytes, str], ...]:
    text = resources.files("ingest").joinpath("data/binary_signatures.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return tuple((bytes.fromhex(prefix), kind) for prefix, kind in rows[1:])   # rows[0] is the header


def _human(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size == 0:
        raise InputError(name, "empty", "the file is empty (0 bytes); re-save the article or remove the file")
    if size > max_bytes:
        raise InputError(name, "too_large",
                         f"the file is {_human(size)}, above the limit of {_human(max_bytes)} for one input; "
                         "news articles are far smaller, so check that this is one article, or raise the "
                         "limit (max_bytes / --max-bytes) if it is")


def _check_binary(name: str, data: bytes) -> None:
    head = data[:SNIFF_BYTES]
    for prefix, kind in binary_signatures():
        if head.startswith(prefix):
            raise InputError(name, "binary",
                             f"this is a {kind}, not an HTML or text file; convert it to text or HTML first")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(name, "binary",
                         "the file contains NUL bytes, so it is binary data, not HTML or text; "
                         "check that the right file was given")


def _kind(path: Path, data: bytes) -> str:
    return KIND_BY_SUFFIX.get(path.suffix.lower()) or ("html" if MARKUP_START.match(data[:SNIFF_BYTES]) else "text")


def markdown_to_text(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """Plain text and (anchor, href) links of a Markdown article (headings, emphasis,
    images and link syntax removed), so offsets refer to prose as for HTML inputs."""
    links = [(m.group(1), m.group(2)) for m in MD_LINK.finditer(markdown) if m.group(2).startswith(("http:", "https:"))]
    text = MD_LINK.sub(r"\1", MD_IMAGE.sub("", markdown))
    text = MD_EMPHASIS.sub(r"\2", MD_HEADING.sub("", text))
    return text, links


def document_from_bytes(data: bytes, name: str, *, url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                        lang_hint: str | None = None) -> Document:
    """One input given as bytes (an upload, stdin, a file already read): HTML or text by the
    suffix of `name`, else by sniffing. `url` defaults to `name` if it is a URL, else its
    file:// URI. Raises InputError like load_file."""
    _check_size(name, len(data), max_bytes)
    _check_binary(name, data)
    try:
        decoded = decode_bytes(data)
    except UndecodableError as err:
        raise InputError(name, "invalid_encoding",
                         "the input is not valid UTF-8 and no other character encoding fits; re-save it as "
                         "UTF-8 text, or check that it is not a damaged or binary file") from err
    if not decoded.text.strip():
        raise InputError(name, "empty", "the input contains only whitespace; re-save the article or remove it")
    url = url or (name if "://" in name else Path(name).resolve().as_uri())
    fetched_at = utc_timestamp()
    kind = _kind(Path(name), data)
    try:
        if kind == "html":
            document = extract_document(decoded.text, url, lang_hint=lang_hint, fetched_at=fetched_at,
                                        raw_bytes=len(data))
        else:
            text, links = markdown_to_text(decoded.text) if kind == "markdown" else (decoded.text, [])
            document = document_from_text(text, url, lang_hint=lang_hint, fetched_at=fetched_at,
                                          raw_bytes=len(data))
            document.links = links
    except InputError as err:
        raise InputError(name, err.reason, err.message) from err
    if decoded.replaced:
        document.warnings.append(
            f"{decoded.replaced} bytes were not valid {decoded.encoding} and were replaced by U+FFFD; "
            "re-save the input as UTF-8 to keep every character")
    elif decoded.encoding not in ("utf-8", "ascii"):
        document.warnings.append(f"decoded as {decoded.encoding} (not UTF-8)")
    return document


def load_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, lang_hint: str | None = None) -> Document:
    """Read one local file as a Document (url = its file:// URI).

    Raises InputError with reason not_found, unreadable, empty, too_large, binary,
    invalid_encoding or no_text, and a message saying what to do.
    """
    path = Path(path)
    name = str(path)
    try:
        _check_size(name, path.stat().st_size, max_bytes)   # before reading: a 5 GB file is never loaded
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise InputError(name, "not_found", "the file does not exist; check the path") from err
    except IsADirectoryError as err:
        raise InputError(name, "unreadable", "this is a folder; pass it as an input folder") from err
    except PermissionError as err:
        raise InputError(name, "unreadable", "permission denied; check the file's access rights") from err
    return document_from_bytes(data, name, url=path.resolve().as_uri(), max_bytes=max_bytes, lang_hint=lang_hint)
