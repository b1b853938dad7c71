"""Safe, tolerant XML parsing and date normalization shared by feeds and sitemaps.

Why: feeds and sitemaps come from servers we do not control. The parser never
resolves entities or touches the network (XXE, billion laughs), and falls back to
lxml's recovery mode because real feeds are often slightly broken; only when even
that yields no document is the input reported as malformed.
"""
from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from ingest.dates import parse_date


class MalformedXML(ValueError):
    """The bytes are not XML even in recovery mode."""


def parse_xml(content: bytes) -> tuple[etree._Element, str | None]:
    """The root element, and the syntax error that recovery mode had to work around (or None)."""
    options = {"resolve_entities": False, "no_network": True, "huge_tree": False, "remove_comments": True}
    try:
        return etree.fromstring(content.strip(), etree.XMLParser(**options)), None
    except etree.XMLSyntaxError as strict_error:
        try:
            root = etree.fromstring(content.strip(), etree.XMLParser(recover=True, **options))
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise MalformedXML(f"not well-formed XML: {strict_error}") from strict_error
        return root, f"not well-formed XML: {strict_error}"


def local(element: etree._Element) -> str:
    """Tag name without namespace ("{http://www.w3.org/2005/Atom}entry" -> "entry")."""
    tag = element.tag
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if local(child) == name]


def child_text(element: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in children(element, name):
            text = (child.text or "").strip()
            if text:
                return text
    return None


def iso_date(value: str | None) -> str | None:
    """YYYY-MM-DD from RFC 822 (RSS), ISO 8601 (Atom, sitemaps) or a looser date string."""
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return parse_date(value)
