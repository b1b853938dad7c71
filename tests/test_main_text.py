"""main_body extracts, from the page's own tree, the body bare_extraction extracts from its copy."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from ingest.decode import decode_bytes
from ingest.main_text import extractor, main_body

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PARAGRAPH = "<p>Die Rechenzentren im Westen Chinas stehen nach Angaben von Betreibern zu großen Teilen leer.</p>"
ARTICLE = (f"<html lang='de'><head><title>T</title><link rel='canonical' href='/a'></head><body>"
           f"<nav><a href='/'>Start</a></nav><article><h1>Leere Rechenzentren</h1>{PARAGRAPH * 4}"
           f"<p>Mehr bei <a href='https://example.org/bericht'>einem Bericht</a> dazu.</p>"
           f"<header><p>Ein Kasten am Artikel, den nur der Präzisionsmodus weglässt, mit etwas Text.</p></header>"
           f"<table><tr><td>Westen</td><td>80 Prozent ungenutzt</td></tr></table></article>"
           f"<div id='comments'><p>Ein Leser schreibt einen langen Kommentar, der nicht zum Artikel gehört.</p></div>"
           f"<div class='infinite-scroll'><article><p>Ein angehängter zweiter Artikel ohne Überschrift.</p></article></div>"
           f"</body></html>")


def _reference(html: str, precision: bool, tables: bool) -> bytes | None:
    result = bare_extraction(load_html(html), with_metadata=False, include_links=True, include_comments=False,
                             include_tables=tables, favor_precision=precision)
    return None if result is None else etree.tostring(result.body)


def _ours(html: str, precision: bool, tables: bool) -> bytes | None:
    body = main_body(load_html(html), extractor(favor_precision=precision, include_tables=tables))
    return None if body is None else etree.tostring(body)


@pytest.mark.parametrize("precision,tables", [(True, False), (False, True), (False, False)])
@pytest.mark.parametrize("html", [
    ARTICLE,
    # lxml gives a page that looks like a fragment as one of its elements, inside a document of its own
    f"<div class='story'><h2>Leere Rechenzentren</h2>{PARAGRAPH * 5}<div class='comments'>{PARAGRAPH}</div></div>",
    # markup after </html>
    f"<html><body><article>{PARAGRAPH * 5}</article></body></html><p>Danach noch ein Absatz mit Text.</p>",
    "<html><body><nav><a href='/'>Start</a> <a href='/b'>B</a></nav></body></html>",      # no main text
])
def test_the_body_is_bare_extractions(html, precision, tables):
    assert _ours(html, precision, tables) == _reference(html, precision, tables)


def test_the_page_tree_is_consumed_but_the_body_is_its_own():
    tree = load_html(ARTICLE)
    body = main_body(tree, extractor(favor_precision=True, include_tables=False))
    assert "Leere Rechenzentren" in "".join(body.itertext())
    assert body.getroottree().getroot() is not tree
    assert not tree.xpath("//div[@id='comments']")           # pruned from the page's tree itself


def test_a_fragment_like_page_is_copied_first():
    tree = load_html(f"<div class='story'>{PARAGRAPH * 5}<div id='comments'>{PARAGRAPH}</div></div>")
    assert tree.getparent() is not None                      # the case: an element of a bigger document
    main_body(tree, extractor(favor_precision=True, include_tables=False))
    assert len(tree) == 6                                    # its comments were pruned from a copy


@pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_the_body_is_bare_extractions_on_corpus_pages():
    files = sorted((CORPUS / "html").glob("*.html"))[::4]
    differing = []
    for path in files:
        html = decode_bytes(path.read_bytes()).text
        if load_html(html) is None:
            continue
        if _ours(html, True, False) != _reference(html, True, False):
            differing.append(path.name)
    assert len(files) > 250 and not differing, differing
