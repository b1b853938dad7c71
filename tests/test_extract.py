"""Main-text and metadata extraction from HTML and plain text."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingest.extract import document_from_text, extract_document
from ingest.types import InputError, content_hash

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"

ARTICLE = """<!DOCTYPE html>
<html lang="de-DE"><head><meta charset="utf-8">
<title>Serverhallen in der Steppe bleiben leer | Testkurier</title>
<link rel="canonical" href="https://www.testkurier.de/wirtschaft/serverhallen-leer?utm_source=newsletter&amp;id=7">
<meta property="og:site_name" content="Testkurier">
<meta name="author" content="Erika Musterfrau">
<meta property="article:published_time" content="2025-03-29T08:15:00+01:00">
</head><body>
<nav><a href="/">Start</a> <a href="/wirtschaft">Wirtschaft</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Serverhallen in der Steppe bleiben leer</h1>
<p class="byline">Von Erika Musterfrau</p>
<p>In einer entlegenen Provinz stehen nach Angaben eines Branchenverbands rund 80 Prozent der neu gebauten
Serverhallen ungenutzt. Die Betreiber hatten mit einer schnellen Nachfrage nach Rechenleistung gerechnet.
Die Gebäude wurden für Großkunden geplant.</p>
<p>Ein Sprecher der Provinzverwaltung sagte, man wolle die Anlagen bis Ende 2026 an Cloud-Anbieter vermieten.
Laut einem <a href="https://example.org/bericht.pdf">Bericht der Marktforscher</a> fehlen vor allem moderne Chips.</p>
<p>Insgesamt flossen demnach zwischen 2023 und 2024 mehr als 20 Milliarden Yuan in neue Anlagen. Mehr dazu
<a href="/wirtschaft/hintergrund">im Hintergrundartikel</a>.</p>
</article>
<aside><h3>Meistgelesen</h3><ul><li><a href="/x">Fußball: Derby endet torlos</a></li></ul></aside>
<footer>Impressum · Datenschutz</footer>
</body></html>"""


def test_article_text_and_metadata():
    doc = extract_document(ARTICLE.encode("utf-8"), "https://www.testkurier.de/wirtschaft/serverhallen-leer?utm_medium=rss",
                           fetched_at="2025-03-30T10:00:00+00:00")
    assert doc.title == "Serverhallen in der Steppe bleiben leer"
    assert doc.author == "Erika Musterfrau"
    assert doc.published == "2025-03-29"
    assert doc.language == "de"
    assert doc.source == "Testkurier"
    assert doc.canonical_url == "https://www.testkurier.de/wirtschaft/serverhallen-leer?id=7"
    assert doc.url.endswith("utm_medium=rss")
    assert doc.fetched_at == "2025-03-30T10:00:00+00:00"
    assert "rund 80 Prozent der neu gebauten Serverhallen ungenutzt" in doc.text
    assert "mehr als 20 Milliarden Yuan" in doc.text
    assert "Impressum" not in doc.text and "Derby" not in doc.text and "Wirtschaft Sport" not in doc.text
    assert "[" not in doc.text and "](" not in doc.text and "<" not in doc.text
    assert doc.links == [("Bericht der Marktforscher", "https://example.org/bericht.pdf"),
                         ("im Hintergrundartikel", "https://www.testkurier.de/wirtschaft/hintergrund")]
    assert doc.content_hash == content_hash(doc.text) and len(doc.content_hash) == 64
    assert all(line.strip() == line and line for line in doc.text.split("\n"))
    assert doc.raw_bytes == len(ARTICLE.encode("utf-8"))


def test_source_falls_back_to_registered_domain_and_language_to_hint():
    html = ARTICLE.replace('<meta property="og:site_name" content="Testkurier">', "") \
                  .replace(" | Testkurier", "").replace(' lang="de-DE"', "")
    doc = extract_document(html, "https://www.news.testkurier.co.uk/a/b", lang_hint="de")
    assert doc.source == "testkurier.co.uk"
    assert doc.language == "de"


def test_canonical_pointing_at_home_page_is_ignored():
    html = ARTICLE.replace("/wirtschaft/serverhallen-leer?utm_source=newsletter&amp;id=7", "/")
    doc = extract_document(html, "https://www.testkurier.de/wirtschaft/serverhallen-leer")
    assert doc.canonical_url == "https://www.testkurier.de/wirtschaft/serverhallen-leer"


def test_relative_canonical_is_resolved():
    html = ARTICLE.replace("https://www.testkurier.de/wirtschaft/serverhallen-leer?utm_source=newsletter&amp;id=7",
                           "/wirtschaft/serverhallen")
    doc = extract_document(html, "https://www.testkurier.de/wirtschaft/serverhallen-druck")
    assert doc.canonical_url == "https://www.testkurier.de/wirtschaft/serverhallen"


def test_links_resolve_against_the_page_or_its_base_href():
    """As a browser resolves them: "../" and "#note" against the page itself, unless <base href> says otherwise."""
    html = ARTICLE.replace('href="/wirtschaft/hintergrund"', 'href="../politik/hintergrund.html"') \
                  .replace('href="https://example.org/bericht.pdf"', 'href="#fussnote-1"')
    doc = extract_document(html, "https://www.testkurier.de/wirtschaft/2025/serverhallen-leer")
    assert doc.links == [("Bericht der Marktforscher", "https://www.testkurier.de/wirtschaft/2025/serverhallen-leer#fussnote-1"),
                         ("im Hintergrundartikel", "https://www.testkurier.de/wirtschaft/politik/hintergrund.html")]
    with_base = html.replace("<head>", '<head><base href="https://archiv.testkurier.de/ausgabe/">')
    doc = extract_document(with_base, "https://www.testkurier.de/wirtschaft/2025/serverhallen-leer")
    assert doc.links == [("Bericht der Marktforscher", "https://archiv.testkurier.de/ausgabe/#fussnote-1"),
                         ("im Hintergrundartikel", "https://archiv.testkurier.de/politik/hintergrund.html")]


def test_legacy_encoding_from_meta_is_decoded():
    html = ARTICLE.replace('<meta charset="utf-8">', '<meta charset="windows-1252">').encode("cp1252")
    doc = extract_document(html, "https://www.testkurier.de/a")
    assert "Die Gebäude wurden für Großkunden geplant." in doc.text and "Ã" not in doc.text


def test_page_without_main_text_is_a_clear_failure():
    html = "<html><body><nav><a href='/a'>Start</a> <a href='/b'>Politik</a></nav><footer>Impressum</footer></body></html>"
    with pytest.raises(InputError) as caught:
        extract_document(html, "https://example.org/")
    assert caught.value.reason == "no_text"
    assert "no main text" in caught.value.message and "https://example.org/" in str(caught.value)


def test_garbage_is_a_clear_failure():
    for garbage in ("", "   ", "just some words", "\x00\x01\x02"):
        with pytest.raises(InputError) as caught:
            extract_document(garbage, "https://example.org/x")
        assert caught.value.reason == "no_text"


PLAIN = """Veröffentlicht am: 12. Februar 2025 / Update vom: 14. Februar 2025 – Verfasser: Max Beispielmann

Rechenzentren im Überfluss: Warum viele Hallen leer stehen

Nach Schätzungen eines Beratungshauses sind im vergangenen Jahr mehr als 300 neue Rechenzentren entstanden.
Viele davon werden nach Angaben der Betreiber nur zu einem Bruchteil genutzt.
"""


def test_plain_text_header_gives_date_author_title():
    doc = document_from_text(PLAIN, "file:///tmp/artikel.txt", lang_hint="de")
    assert doc.published == "2025-02-12"
    assert doc.author == "Max Beispielmann"
    assert doc.title == "Rechenzentren im Überfluss: Warum viele Hallen leer stehen"
    assert doc.text.startswith("Rechenzentren im Überfluss")
    assert "Veröffentlicht" not in doc.text and "Verfasser" not in doc.text
    assert doc.language == "de" and doc.source == "local"
    assert doc.text.count("\n") == 2


@pytest.mark.parametrize(("header", "published", "author"), [
    ("Published: March 3, 2025 | By Jane Doe", "2025-03-03", "Jane Doe"),
    ("| 10. Juni 2025", "2025-06-10", None),
    ("Stand: 05.01.2024, 10:15 Uhr", "2024-01-05", None),
    ("Von Anna Schmidt", None, "Anna Schmidt"),
])
def test_plain_text_header_variants(header, published, author):
    body = ("Die Zahl der Neuzulassungen ist im Januar um zwölf Prozent gestiegen, teilte das Bundesamt mit.\n"
            "Fachleute erwarten für das Gesamtjahr eine ähnliche Entwicklung.")
    doc = document_from_text(f"Autos: Mehr Neuzulassungen\n{header}\n\n{body}", "file:///tmp/x.txt")
    assert doc.published == published and doc.author == author
    assert header not in doc.text and doc.title == "Autos: Mehr Neuzulassungen"


def test_plain_text_sentences_are_not_taken_for_metadata():
    text = ("Von den 500 neuen Anlagen ist nach Angaben des Verbands nur ein Drittel ausgelastet, heißt es.\n"
            "Die Betreiber hoffen auf steigende Nachfrage im kommenden Jahr.")
    doc = document_from_text(text, "file:///tmp/y.txt")
    assert doc.author is None and doc.title is None and doc.published is None
    assert doc.text == text


def test_plain_text_too_short_is_a_failure():
    with pytest.raises(InputError) as caught:
        document_from_text("Überschrift\nVon Anna Schmidt\n", "file:///tmp/z.txt")
    assert caught.value.reason == "no_text"


@pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_corpus_pages_extract_without_crashing():
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))[:100]
    documents, failures = [], []
    for row in rows:
        data = (CORPUS / "html" / row["file"]).read_bytes()
        try:
            documents.append(extract_document(data, row["url"] or f"file:///corpus/{row['file']}"))
        except InputError as err:
            failures.append(err)
    assert len(documents) + len(failures) == len(rows)
    assert len(documents) >= 90
    assert {f.reason for f in failures} <= {"no_text", "invalid_encoding"}
    assert all(d.text and "\n\n" not in d.text and d.source for d in documents)
    with_lang = [d for d in documents if d.language]
    assert len(with_lang) >= 80


def _trafilatura_metadata(html: str, url: str) -> tuple:
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import Extractor
    from trafilatura.utils import load_html
    meta = extract_metadata(load_html(html), url, Extractor().date_params)
    return meta.title, meta.author, meta.date, meta.sitename


def _our_metadata(html: str, url: str) -> tuple:
    from trafilatura.utils import load_html

    from ingest.metadata import page_metadata
    meta = page_metadata(load_html(html), url)
    return meta.title, meta.author, meta.date, meta.sitename


def test_page_metadata_is_what_trafilatura_extracts():
    url = "https://www.testkurier.de/wirtschaft/serverhallen-leer"
    assert _our_metadata(ARTICLE, url) == _trafilatura_metadata(ARTICLE, url) == (
        "Serverhallen in der Steppe bleiben leer", "Erika Musterfrau", "2025-03-29", "Testkurier")
    bare = "<html><head><title>nur ein titel</title></head><body><p>Text ohne Metadaten.</p></body></html>"
    assert _our_metadata(bare, "https://blog.example.org/p/1") == \
        _trafilatura_metadata(bare, "https://blog.example.org/p/1")


@pytest.mark.skipif(not (CORPUS / "html").is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_page_metadata_matches_trafilatura_on_corpus_pages():
    from ingest.decode import decode_bytes

    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))[::25]
    for row in rows:
        html = decode_bytes((CORPUS / "html" / row["file"]).read_bytes()).text
        url = row["url"] or f"https://example.org/{row['file']}"
        assert _our_metadata(html, url) == _trafilatura_metadata(html, url), row["file"]


# pages whose date htmldate hands to dateparser (the tables the workers' warm-up builds)
DATEPARSER_PAGES = ["Finowie_odkrywaj_wino___Res_Publica_Nowa.html", "diaadia.com.pa-ulpiano.html",
                    "100noticias.com-millones.html", "assabah.com.tn.article.html", "diario1.com-legislativa.html"]
EXTRACT_IN_FRESH_PROCESS = """
import json, sys
from dataclasses import asdict
from pathlib import Path
if sys.argv[1] == "warm":
    import ingest.extract_warmup
from dateparser.languages.dictionary import Dictionary
from ingest.extract import extract_document
tables = sum(len(by_language) for by_language in Dictionary._split_regex_cache.values())
folder = Path(sys.argv[2]).parent
docs = [asdict(extract_document((folder / Path(name).name).read_bytes(), "https://example.org/" + Path(name).name,
                                fetched_at="2026-01-01T00:00:00+00:00")) for name in sys.argv[2:]]
print(json.dumps({"tables": tables, "docs": docs}))
"""


@pytest.mark.skipif(not all((CORPUS / "html" / name).exists() for name in DATEPARSER_PAGES),
                    reason=f"shared corpus not found at {CORPUS}")
def test_worker_warm_up_builds_the_date_tables_without_changing_documents():
    import json
    import subprocess
    import sys

    def extract(mode: str) -> dict:
        paths = [str(CORPUS / "html" / DATEPARSER_PAGES[0]), *DATEPARSER_PAGES[1:]]   # the rest: beside the first
        out = subprocess.run([sys.executable, "-c", EXTRACT_IN_FRESH_PROCESS, mode, *paths], check=True,
                             capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
        return json.loads(out.stdout)

    cold, warm = extract("cold"), extract("warm")
    assert cold["tables"] == 0 and warm["tables"] >= 100   # built before the first page needed them
    assert warm["docs"] == cold["docs"] and all(doc["published"] for doc in cold["docs"])


def _date_tables_built() -> int:
    from dateparser.languages.dictionary import Dictionary

    return sum(len(by_language) for by_language in Dictionary._split_regex_cache.values())


def test_extraction_workers_are_forked_warm():
    from concurrent.futures import ProcessPoolExecutor

    from ingest.extract_pool import _context, prepare_workers

    context = _context()
    if context.get_start_method() != "forkserver":
        pytest.skip("no fork server on this platform: workers are spawned and warm up by themselves")
    prepare_workers(wait=True)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(_date_tables_built).result() >= 100
