"""parse_page gives the tree trafilatura's load_html gives, and repair its repaired page."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from trafilatura.utils import INVALID_XML_CHARS, load_html, repair_faulty_html

from ingest.decode import decode_bytes
from ingest.page_tree import has_invalid_chars, parse_page, repair

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BODY = "<body><p>Die Rechenzentren stehen zu großen Teilen leer.</p><p>Zweiter Absatz.</p></body>"
PAGES = [
    f"<!DOCTYPE html>\n<html lang='de'>{BODY}</html>",
    f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html>{BODY}</html>',
    f'<!doctype html public "-//w3c//dtd html 4.01//en" "http://www.w3.org/TR/html4/strict.dtd"><html>{BODY}</html>',
    f"<!DOCTYPE html><html>{BODY}</html>",                         # a doctype, no line break anywhere
    f"<html>{BODY}</html>",
    f"<html/>\n<head><title>t</title></head>{BODY}",               # self-closing <html/>
    "<html><body><p>Steuer\x0bzeichen\x00 und \x1f mehr</p><p>Ende\ufffe.\uffff</p></body></html>",
    f"<?xml version='1.0' encoding='utf-8'?>\n<html>{BODY}</html>",   # lxml refuses a str with a declaration
    "<div><p>Nur ein Fragment</p><p>mit zwei Absätzen</p></div>",
    "<p>Kein HTML, ein Absatz</p>",
    "Nur Text ohne Markup.",
    "",
]


def _tree(tree) -> bytes | None:
    return None if tree is None else etree.tostring(tree)


@pytest.mark.parametrize("page", PAGES)
def test_the_tree_is_load_htmls(page):
    assert _tree(parse_page(page)) == _tree(load_html(page))


@pytest.mark.parametrize("page", PAGES[:8])
def test_the_repaired_page_is_trafilaturas(page):
    assert repair(page, page[:50].lower()) == repair_faulty_html(page, page[:50].lower())


def test_every_forbidden_character_is_found():
    for code in list(range(0x00, 0x20)) + [0x7F, 0x80, 0xA0, 0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000]:
        text = f"vor {chr(code)} nach ä"
        assert has_invalid_chars(text) == bool(INVALID_XML_CHARS.search(text)), hex(code)
    assert not has_invalid_chars("Zeilen\nmit\tTab\r\nund Umlaut ü und \ud800 Surrogat")


@pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_the_tree_is_load_htmls_on_corpus_pages():
    files = sorted((CORPUS / "html").glob("*.html"))
    differing = [path.name for path in files
                 if _tree(parse_page(text := decode_bytes(path.read_bytes()).text)) != _tree(load_html(text))]
    assert len(files) > 1000 and not differing, differing
