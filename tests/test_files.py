"""Local inputs: folder walking, and each kind of garbage file giving a named, actionable failure."""
from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from ingest.files import document_from_bytes, iter_inputs, load_file
from ingest.types import InputError

ARTICLE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Neue Brücke eröffnet</title></head>
<body><article><h1>Neue Brücke eröffnet</h1>
<p>Nach vier Jahren Bauzeit ist die neue Brücke über den Fluss für den Verkehr freigegeben worden.
Die Baukosten lagen nach Angaben der Stadt bei rund 48 Millionen Euro und damit über der Planung.</p>
<p>Täglich sollen künftig etwa 20.000 Fahrzeuge die Brücke nutzen, schätzt das Verkehrsamt.</p>
</article></body></html>"""

TEXT = """Neue Brücke eröffnet
Veröffentlicht am: 3. April 2025

Nach vier Jahren Bauzeit ist die neue Brücke über den Fluss für den Verkehr freigegeben worden.
Täglich sollen künftig etwa 20.000 Fahrzeuge die Brücke nutzen, schätzt das Verkehrsamt.
"""


def reason_of(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        load_file(path, **kwargs)
    assert caught.value.input == str(path)
    return caught.value


def test_iter_inputs_walks_folders_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "a.html").write_text(ARTICLE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.TXT").write_text(TEXT)
    (tmp_path / "sub" / "c.md").write_text(TEXT)
    (tmp_path / "sub" / "d.xhtml").write_text(ARTICLE)
    (tmp_path / "sub" / "e.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / ".hidden.html").write_text(ARTICLE)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.html").write_text(ARTICLE)
    single = tmp_path / "explicit.data"
    single.write_text(TEXT)
    found = list(iter_inputs([tmp_path / "sub", tmp_path / "a.html", single, tmp_path / "missing.html"]))
    assert found == [tmp_path / "sub" / "b.TXT", tmp_path / "sub" / "c.md", tmp_path / "sub" / "d.xhtml",
                     tmp_path / "a.html", single, tmp_path / "missing.html"]
    assert [p.name for p in iter_inputs([tmp_path])] == ["a.html", "b.TXT", "c.md", "d.xhtml"]


def test_html_file_becomes_document(tmp_path):
    path = tmp_path / "artikel.html"
    path.write_text(ARTICLE, encoding="utf-8")
    doc = load_file(path)
    assert doc.url == path.resolve().as_uri() and doc.title == "Neue Brücke eröffnet"
    assert "rund 48 Millionen Euro" in doc.text and doc.language == "de"
    assert doc.raw_bytes == path.stat().st_size and doc.warnings == []


def test_text_and_markdown_files_become_documents(tmp_path):
    txt = tmp_path / "artikel.txt"
    txt.write_text(TEXT, encoding="utf-8")
    doc = load_file(txt, lang_hint="de")
    assert doc.published == "2025-04-03" and doc.title == "Neue Brücke eröffnet" and doc.language == "de"
    md = tmp_path / "artikel.md"
    md.write_text("# Neue Brücke eröffnet\n\nNach vier Jahren Bauzeit ist die **neue Brücke** freigegeben, "
                  "meldet die [Stadtverwaltung](https://example.org/presse). Täglich sollen etwa 20.000 Fahrzeuge "
                  "sie nutzen.\n![Foto](bild.jpg)\n", encoding="utf-8")
    doc = load_file(md)
    assert doc.title == "Neue Brücke eröffnet"
    assert "meldet die Stadtverwaltung." in doc.text and "**" not in doc.text and "Foto" not in doc.text
    assert doc.links == [("Stadtverwaltung", "https://example.org/presse")]


def test_empty_and_whitespace_files(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    err = reason_of(empty)
    assert err.reason == "empty" and "0 bytes" in err.message
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\t\n")
    assert reason_of(blank).reason == "empty"


def test_binary_files(tmp_path):
    pdf = tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    err = reason_of(pdf)
    assert err.reason == "binary" and "PDF" in err.message
    archive = tmp_path / "page.html"
    archive.write_bytes(gzip.compress(ARTICLE.encode()))
    assert "gzip" in reason_of(archive).message
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"some text\x00\x00\x01 more")
    err = reason_of(blob)
    assert err.reason == "binary" and "NUL" in err.message


def test_too_large_file_names_size_limit_and_option(tmp_path):
    big = tmp_path / "huge.html"
    chunk = ("<p>" + "Sehr langer Absatz mit Wörtern. " * 30 + "</p>\n").encode("utf-8")
    with big.open("wb") as out:
        out.write(b"<html><body>")
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            out.write(chunk)
    err = reason_of(big)
    assert err.reason == "too_large"
    assert "50.0 MB" in err.message and "20.0 MB" in err.message and "max_bytes" in err.message
    assert reason_of(big, max_bytes=1024).reason == "too_large"


def test_legacy_encoded_file_is_decoded_with_a_warning(tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes(TEXT.encode("latin-1"))
    doc = load_file(latin)
    assert "Täglich sollen künftig" in doc.text and "Brücke" in doc.title
    assert any("not UTF-8" in w for w in doc.warnings)


def test_utf8_with_a_few_broken_bytes_is_kept_and_says_so(tmp_path):
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes(TEXT.encode("utf-8").replace("Fluss".encode(), b"Flu\xff\xfe"))
    doc = load_file(damaged)
    assert "Täglich sollen künftig" in doc.text and "\ufffd" in doc.text
    assert any("replaced" in w for w in doc.warnings)


def test_undecodable_file_is_invalid_encoding(tmp_path):
    rng = random.Random(7)
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(4000)))
    err = reason_of(noise)
    assert err.reason == "invalid_encoding" and "UTF-8" in err.message


def test_html_without_main_text(tmp_path):
    nav = tmp_path / "index.html"
    nav.write_text("<html><body><nav><a href='/a'>Start</a><a href='/b'>Kontakt</a></nav></body></html>")
    err = reason_of(nav)
    assert err.reason == "no_text" and "no main text" in err.message


def test_missing_file_and_folder_given_as_file(tmp_path):
    assert reason_of(tmp_path / "nope.html").reason == "not_found"
    assert reason_of(tmp_path).reason == "unreadable"


def test_batch_keeps_going_after_failures(tmp_path):
    (tmp_path / "1.html").write_text(ARTICLE)
    (tmp_path / "2.html").write_bytes(b"")
    (tmp_path / "3.txt").write_text(TEXT)
    (tmp_path / "4.html").write_bytes(b"\x89PNG\r\n\x1a\n....")
    documents, failures = [], []
    for path in iter_inputs([tmp_path]):
        try:
            documents.append(load_file(path))
        except InputError as err:
            failures.append(err.failure)
    assert len(documents) == 2
    assert [(Path(f.input).name, f.reason) for f in failures] == [("2.html", "empty"), ("4.html", "binary")]


def test_document_from_bytes_sniffs_html_and_text():
    html = document_from_bytes(ARTICLE.encode("utf-8"), "upload")
    assert html.title == "Neue Brücke eröffnet" and html.url.startswith("file://")
    text = document_from_bytes(TEXT.encode("utf-8"), "https://example.org/artikel.txt")
    assert text.url == "https://example.org/artikel.txt" and text.published == "2025-04-03"
    with pytest.raises(InputError) as caught:
        document_from_bytes(b"x" * 2000, "big.txt", max_bytes=1000)
    assert caught.value.reason == "too_large" and caught.value.input == "big.txt"
