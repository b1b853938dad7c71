"""The original text of a Doc without rebuilding it from tokens.

`Doc.text` joins every token anew (creating a Token object each), which costs
more than some whole components. `Analyzer` stores the text it tokenized in
`doc.user_data[TEXT_KEY]`; components read it through `doc_text`, falling back
to `Doc.text` for docs made elsewhere (e.g. `nlp("...")` in tests).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

TEXT_KEY = "newsgraph.text"


def doc_text(doc: Doc) -> str:
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None else doc.text


def make_doc(nlp: Language, text: str) -> Doc:
    """Tokenize `text` and remember it on the doc for `doc_text`."""
    doc = nlp.make_doc(text)
    doc.user_data[TEXT_KEY] = text
    return doc
