"""The main-text body trafilatura extracts from a page, taken from the page's own tree.

Why not `trafilatura.bare_extraction(tree)`: it copies a tree it is given before its
steps prune it, and copying and later freeing that copy cost about half as much as
parsing the page (1.1 s per 1,000 corpus pages, 3 % of the whole pipeline). newsgraph
reads everything it needs from the page (metadata, canonical URL, language, base URL)
before the extraction, so trafilatura's steps (`trafilatura_sequence`, what
`bare_extraction` runs on its copy) run on the page's tree itself, and the checks
`bare_extraction` makes around them are made here. tests/test_main_text.py compares the
body with `bare_extraction`'s on the corpus pages and on edge cases.
"""
from __future__ import annotations

from copy import copy

from lxml.etree import _Element, strip_tags
from lxml.html import HtmlElement
from trafilatura.core import trafilatura_sequence
from trafilatura.settings import DEFAULT_CONFIG, Extractor


def extractor(*, favor_precision: bool, include_tables: bool) -> Extractor:
    """The options `bare_extraction` builds from newsgraph's arguments (links kept, no comments)."""
    return Extractor(config=DEFAULT_CONFIG, output_format="python", precision=favor_precision,
                     comments=False, links=True, tables=include_tables)


def main_body(tree: HtmlElement, options: Extractor) -> _Element | None:
    """`bare_extraction(tree, ...).body`, or None where it gives no document.

    Consumes `tree`: trafilatura prunes comment sections and infinite-scroll
    containers from it. A tree that is not the root of its document (lxml returns a
    page that looks like a fragment as one of its elements) is copied, as
    `bare_extraction` copies every tree: the copy is a document of its own, which is
    what the steps' expressions then search.
    """
    if tree.getparent() is not None or tree.getprevious() is not None or tree.getnext() is not None:
        tree = copy(tree)
    try:
        body, text, _, comments = trafilatura_sequence(tree, options, None)
    except (TypeError, ValueError):          # bare_extraction's "discarding data"
        return None
    if options.max_tree_size and len(body) > options.max_tree_size:
        strip_tags(body, "hi")
        if len(body) > options.max_tree_size:
            return None
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return None
    return body
