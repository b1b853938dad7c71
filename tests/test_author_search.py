"""The guarded author XPaths select exactly what trafilatura's own select, and skip pages with nothing to find;
the discards turned around keep exactly the elements trafilatura's pruning keeps."""
from __future__ import annotations

import random
import re
from copy import deepcopy
from pathlib import Path

import pytest
from lxml.etree import XPath
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_author as trafilatura_author
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from ingest.author_search import (AUTHOR_DISCARDS, AUTHOR_PREFILTERS, Discard, Guarded, Unsupported, guarded,
                                  turned_around, words_of)
from ingest.metadata import extract_author

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
GUARDED = guarded(AUTHOR_XPATHS, AUTHOR_PREFILTERS)
PAIRS = list(zip(AUTHOR_XPATHS, GUARDED))
PREFILTERS = list(AUTHOR_PREFILTERS)


def test_words_of_spells_out_options_classes_and_groups():
    assert words_of("author-?name|AuthorName") == {(False, "author-name"), (False, "authorname"),
                                                    (False, "AuthorName")}
    assert words_of("^[Cc]omments|article-(?:share|support)") == {
        (True, "Comments"), (True, "comments"), (False, "article-share"), (False, "article-support")}


@pytest.mark.parametrize("pattern", ["a.b", "ab*", "[a-z]x", "end$", "(?:open", "a|b?", "x(?:y|^z)",
                                     "(?:a|b)(?:c|d)(?:e|f)(?:g|h)(?:i|j)(?:k|l)(?:m|n)"])
def test_patterns_that_are_not_a_few_words_are_refused(pattern):
    with pytest.raises(Unsupported):
        words_of(pattern)


@pytest.mark.parametrize("prefilter", PREFILTERS, ids=lambda p: " ".join(p.source.split())[:30])
def test_each_pattern_matches_exactly_the_strings_with_its_words(prefilter):
    rng = random.Random(5)
    for pattern in prefilter.patterns.values():
        words = words_of(pattern)
        pieces = [w for _, w in words] + [w[1:] for _, w in words] + [w[:-1] for _, w in words] + ["x", "-", " "]
        for _ in range(3000):
            s = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
            spelled = any(s.startswith(w) if anchored else w in s for anchored, w in words)
            assert spelled == bool(re.search(pattern, s)), (pattern, s)


def test_the_installed_trafilatura_still_has_the_guarded_expressions():
    # if this fails after an upgrade, the page metadata is still right (unknown expressions
    # run unguarded), only slower: update the prefilters from trafilatura.xpaths
    assert [type(x) for x in GUARDED] == [Guarded] * 3
    assert turned_around(AUTHOR_DISCARD_XPATHS, AUTHOR_DISCARDS) == AUTHOR_DISCARDS


def test_a_changed_or_added_expression_runs_unguarded():
    changed = XPath("//*[@class='writer']")
    assert guarded([changed, *AUTHOR_XPATHS[1:]], AUTHOR_PREFILTERS)[0] is changed
    assert guarded([*AUTHOR_XPATHS, changed], AUTHOR_PREFILTERS) == [*AUTHOR_XPATHS, changed]


EDGE_PAGE = """<html lang="de"><head><title>t</title><link rel="author" href="/a"></head><body>
<div class="Comments-box"><span class="author-name">Anna Berg</span></div>
<div id="xcomment-list"><p class="authorname">Carl Dorn</p></div>
<section class="article-support"><a rel="author">Eva Fink</a></section>
<div class="my-byline">Gert Hahn</div><div class="Byline">Ida Jung<rel>me</rel></div>
<span id="AuthorBox" class="print-only">Kai Lang</span><p><rel>me</rel>Mia Nord</p>
<div class="xcomments">Ole Pohl</div><author>Pia Quast</author><time>1.1.2025</time>
<figure><span class="author">Rolf Sand</span></figure><div data-component="FigureX">x</div>
<h3 itemprop="creator author">Tom Ulm</h3><!-- <span class="author">comment</span> -->
</body></html><html><body><a class="post__author">Uwe Voss</a><div class="sidebar">Xaver Wolf</div></body></html>"""


def test_other_discard_expressions_are_not_turned_around():
    other = Discard(steps=(("time", ""), ("aside", "")), prefix="//")
    assert turned_around(AUTHOR_DISCARD_XPATHS, (AUTHOR_DISCARDS[0], other)) is None
    assert turned_around(AUTHOR_DISCARD_XPATHS, AUTHOR_DISCARDS[:1]) is None


def _same_pruning(tree) -> int:
    """Each element below the root is `within` a discard exactly when trafilatura's pruning removes
    it, and a kept one has a discard `inside` exactly when the pruning removed some of its
    descendants. Returns how many elements are pruned."""
    for number, element in enumerate(tree.iter()):
        element.set("data-test-number", str(number))
    pruned = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS)
    kept = {e.get("data-test-number"): sum(1 for _ in e.iter()) for e in pruned.iter()}
    removed = 0
    for element in tree.iter():
        within = any(d.within(element, tree) for d in AUTHOR_DISCARDS)
        number = element.get("data-test-number")
        assert within == (number not in kept), (element.tag, element.attrib)
        if not within:
            inside = any(d.inside(element) for d in AUTHOR_DISCARDS)
            assert inside == (kept[number] < sum(1 for _ in element.iter())), (element.tag, element.attrib)
        removed += within
    return removed


def _same_selections(tree) -> None:
    for expression, guarded_expression in PAIRS:
        assert guarded_expression(tree) == expression(tree), expression.path


def test_guarded_expressions_select_the_same_elements_on_an_edge_case_page():
    tree = load_html(EDGE_PAGE)
    _same_selections(tree)
    _same_selections(prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS))
    assert extract_author(tree) == trafilatura_author(tree) == "Ida Jung me"
    assert _same_pruning(load_html(EDGE_PAGE)) > 8


def test_a_part_of_a_page_is_searched_as_trafilatura_searches_its_copy():
    # lxml gives a page that looks like a fragment as one of its elements: `//` still searches the
    # whole document, a copy holds only the element's subtree, where the sidebar around it is gone
    page = load_html('<html><body><p class="x">Text.</p><span class="author">Olga Rand</span>'
                     '<div class="sidebar"><div id="main"><p>Ein Absatz.</p><span class="author">Anna Berg</span>'
                     '</div></div></body></html>')
    part = page.find(".//div[@id='main']")
    assert extract_author(part) == trafilatura_author(part) == "Anna Berg"
    assert extract_author(page) == trafilatura_author(page) == "Olga Rand"
    assert _same_pruning(part) == 0


def test_a_candidate_with_pruned_parts_inside_reads_without_them():
    tree = load_html('<html><body><p>Text.</p><div class="byline">Von <time>3. Mai</time>Anna<span class="date">'
                     ' heute</span> Berg<figure>Bild</figure></div></body></html>')
    assert extract_author(tree) == trafilatura_author(tree) == "Anna Berg"


@pytest.mark.parametrize("markup", ['<p><rel>me</rel>Mia Nord</p>', '<author>Pia Quast</author>',
                                    '<h3 itemprop="creator author">Tom Ulm</h3>', '<a rel="author">Eva Fink</a>',
                                    '<div class="post__byline">Gert Hahn</div>', '<i id="xAuthor">Kai Lang</i>'])
def test_each_kind_of_candidate_passes_the_prefilters(markup):
    tree = load_html(f"<html><body><p>Ein Absatz.</p>{markup}</body></html>")
    assert any(p.may_select(tree) for p in AUTHOR_PREFILTERS)
    assert extract_author(tree) == trafilatura_author(tree) is not None


def test_a_page_without_candidates_is_not_searched():
    tree = load_html('<html><body><div class="content"><p id="p1">Text von Anna Berg.</p></div></body></html>')
    assert not any(p.may_select(tree) for p in AUTHOR_PREFILTERS)
    assert extract_author(tree) is trafilatura_author(tree) is None


@pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_guarded_expressions_select_the_same_elements_on_corpus_pages():
    """Every page gets trafilatura's author; every fourth is checked expression by expression
    (pages where lxml returns a part of the document, or that have two <html> elements, are few)."""
    from ingest.decode import decode_bytes

    checked = skipped = 0
    for number, path in enumerate(sorted((CORPUS / "html").glob("*.html"))):
        tree = load_html(decode_bytes(path.read_bytes()).text)
        if tree is None:
            continue
        assert extract_author(tree) == trafilatura_author(tree), path.name
        if number % 4 == 0:
            _same_selections(tree)
            _same_pruning(tree)
            checked += 1
            skipped += not AUTHOR_PREFILTERS[0].may_select(tree)
    assert checked > 200 and skipped > checked / 4
