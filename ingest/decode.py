"""Bytes to text for web pages and files: which charset, and how sure we are.

Why a module of its own: the fetcher (HTTP header charset) and the file loader
(no header) both need the same decision, and a wrong guess silently turns every
umlaut into mojibake, which then breaks entity and number recognition downstream.

Order of evidence: byte-order mark; a body that is valid UTF-8 with non-ASCII bytes
(real legacy-encoded text is almost never valid UTF-8, while mislabelled UTF-8 pages
are common); the declared charset (HTTP header, then <meta>/XML declaration) if it
decodes cleanly; UTF-8 with a handful of broken bytes; charset_normalizer's guess.
Only when all of these fail is the input reported as undecodable.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG Encoding Standard: these labels mean windows-1252 on the web.
WEB_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
               "iso8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE)
XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.+-]+)["']""", re.IGNORECASE)
SNIFF_BYTES = 4096
# UTF-8 with at most this share of broken bytes is still UTF-8 (a truncated or spliced file).
MAX_REPLACED_SHARE = 0.01


@dataclass
class Decoded:
    text: str
    encoding: str
    replaced: int = 0   # number of undecodable bytes replaced by U+FFFD


class UndecodableError(ValueError):
    """No charset decodes the bytes into plausible text."""


def normalize_charset(label: str | None) -> str | None:
    """Python codec name for a charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = WEB_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(head: bytes) -> str | None:
    """Charset declared inside the document (<meta charset>, http-equiv, XML declaration)."""
    window = head[:SNIFF_BYTES]
    match = META_CHARSET.search(window) or XML_ENCODING.search(window)
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


def _strict(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(body: bytes, header_charset: str | None = None) -> Decoded:
    """Decode `body`, using `header_charset` (e.g. from Content-Type) as evidence.

    Raises UndecodableError when no encoding gives plausible text.
    """
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace"), encoding.replace("-sig", ""))
    if body.isascii():
        return Decoded(body.decode("ascii"), "utf-8")
    text = _strict(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    for label in (normalize_charset(header_charset), declared_charset(body)):
        if label and label != "utf-8":
            text = _strict(body, label)
            if text is not None:
                return Decoded(text, label)
    lenient = body.decode("utf-8", errors="replace")
    replaced = lenient.count("\ufffd")
    if replaced <= max(3, MAX_REPLACED_SHARE * len(body)) and replaced < sum(1 for c in lenient if ord(c) > 127) - replaced:
        return Decoded(lenient, "utf-8", replaced)
    guess = from_bytes(body).best()
    if guess is not None and guess.encoding:
        return Decoded(str(guess), normalize_charset(guess.encoding) or guess.encoding)
    raise UndecodableError("no character encoding decodes these bytes into text")


def detect_encoding(body: bytes, header_charset: str | None = None) -> str | None:
    """Just the encoding name of decode_bytes, None if undecodable."""
    try:
        return decode_bytes(body, header_charset).encoding
    except UndecodableError:
        return None
