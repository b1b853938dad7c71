"""A page's decoded text -> its lxml tree, as `trafilatura.utils.load_html` parses it.

Why not `load_html` itself: before parsing, it removes the characters XML forbids with
a regex pass over the whole page (3 ns a character, 0.4 s per 1,000 corpus pages,
although only 3 of them hold any) and rebuilds every page that has a doctype from
its first line and the rest (two copies of the page, another 0.2 s). Here the
forbidden characters are looked for at the speed of a byte table and removed only
when there are any, and a page is rebuilt only when its doctype line really changes.
The steps, their order and the parser are `load_html`'s; tests/test_page_tree.py
compares the trees on the corpus pages and on edge cases.
"""
from __future__ import annotations

from lxml.html import HtmlElement, fromstring
from trafilatura.utils import (DOCTYPE_TAG, FAULTY_HTML, HTML_PARSER, INVALID_XML_CHARS, fromstring_bytes,
                               is_dubious_html)

# the code points of INVALID_XML_CHARS below U+0080, as UTF-8 bytes (U+FFFE and U+FFFF are tested apart)
CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))


def has_invalid_chars(text: str) -> bool:
    """`INVALID_XML_CHARS.search(text) is not None`, read from the text's UTF-8 bytes."""
    if "\ufffe" in text or "\uffff" in text:
        return True
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, CONTROL_BYTES)) != len(data)


def repair(page: str, beginning: str) -> str:
    """`trafilatura.utils.repair_faulty_html(page, beginning)`."""
    if has_invalid_chars(page):
        page = INVALID_XML_CHARS.sub("", page)
    if "doctype" in beginning:
        # trafilatura: DOCTYPE_TAG.sub("", first line, count=1) + "\n" + the rest
        end = page.find("\n")
        first = page if end < 0 else page[:end]
        doctype = DOCTYPE_TAG.match(first)          # the pattern starts with ^
        if doctype is not None:
            page = first[doctype.end():] + "\n" + ("" if end < 0 else page[end + 1:])
        elif end < 0:
            page += "\n"
    for line in page[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            page = FAULTY_HTML.sub(r"\1>", page, count=1)
            break
    return page


def parse_page(page: str) -> HtmlElement | None:
    """`trafilatura.utils.load_html(page)` for a decoded page: its tree, or None for what is
    not HTML (no "html" in its first 50 characters and fewer than two top-level elements)."""
    beginning = page[:50].lower()
    dubious = is_dubious_html(beginning)
    page = repair(page, beginning)
    tree, fallback = None, False
    try:
        tree = fromstring(page, parser=HTML_PARSER)
    except ValueError:                  # "Unicode strings with encoding declaration are not supported"
        tree, fallback = fromstring_bytes(page), True
    except Exception:  # noqa: BLE001 - load_html logs and goes on to the byte parser
        pass
    if (tree is None or len(tree) < 1) and not fallback:
        tree = fromstring_bytes(page)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree
