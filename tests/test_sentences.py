"""Sentence boundaries in news text: abbreviations, ordinals, headings, paragraphs."""
from __future__ import annotations

import pytest

from nlp.config import DEFAULT_DATA_DIR, PipelineConfig
from nlp.pipeline import build_pipeline
from nlp.sentences import doc_sentences, load_rules, split_sentences


def sentences(text: str, lang: str) -> list[str]:
    rules = load_rules(str(DEFAULT_DATA_DIR), lang)
    return [text[s:e] for s, e in split_sentences(text, rules)]


DE_CASES = [
    # abbreviations inside a sentence
    ("Das Gerät kostet ca. 400 Euro. Der Händler liefert ab Montag.",
     ["Das Gerät kostet ca. 400 Euro.", "Der Händler liefert ab Montag."]),
    ("Der Fonds sammelte 2,3 Mio. Euro ein. Weitere Mittel folgen.",
     ["Der Fonds sammelte 2,3 Mio. Euro ein.", "Weitere Mittel folgen."]),
    ("Geplant sind Investitionen von 4 Mrd. Dollar in neue Werke.",
     ["Geplant sind Investitionen von 4 Mrd. Dollar in neue Werke."]),
    ("Firmen wie z. B. Zulieferer leiden. Andere z.B. Händler nicht.",
     ["Firmen wie z. B. Zulieferer leiden.", "Andere z.B. Händler nicht."]),
    ("Dazu zählen u. a. Banken und Versicherer. Es folgt ein Überblick.",
     ["Dazu zählen u. a. Banken und Versicherer.", "Es folgt ein Überblick."]),
    ("Laut Dr. Keller und Prof. Brandt ist das Modell stabil.",
     ["Laut Dr. Keller und Prof. Brandt ist das Modell stabil."]),
    ("Die Liste umfasst Nr. 4 bis Nr. 9 bzw. Anhang B. Mehr dazu später.",
     ["Die Liste umfasst Nr. 4 bis Nr. 9 bzw. Anhang B.", "Mehr dazu später."]),
    ("Das gilt inkl. Steuern, vgl. Abschnitt drei.",
     ["Das gilt inkl. Steuern, vgl. Abschnitt drei."]),
    # ordinal dates and ordinals
    ("Am 29. März stellte die Firma ihre Zahlen vor. Die Börse reagierte kühl.",
     ["Am 29. März stellte die Firma ihre Zahlen vor.", "Die Börse reagierte kühl."]),
    ("Es ist der 16. Januar 2026 und die Lage bleibt angespannt.",
     ["Es ist der 16. Januar 2026 und die Lage bleibt angespannt."]),
    ("Das war im 21. Jahrhundert neu. Heute ist es Alltag.",
     ["Das war im 21. Jahrhundert neu.", "Heute ist es Alltag."]),
    ("Der Umsatz stieg seit 2017. Die Gewinne sanken.",
     ["Der Umsatz stieg seit 2017.", "Die Gewinne sanken."]),
    ("Der Verein landete auf Platz 3. Danach folgte der Abstieg.",
     ["Der Verein landete auf Platz 3.", "Danach folgte der Abstieg."]),
    # a may-end abbreviation before a new sentence
    ("Man braucht Chips, Speicher usw. Die Preise steigen.",
     ["Man braucht Chips, Speicher usw.", "Die Preise steigen."]),
    # headings, bullets and paragraphs without final punctuation
    ("Hohe Kosten im Rechenzentrum\nDer Betrieb verschlingt viel Strom.\n\n- Erster Punkt\n- Zweiter Punkt",
     ["Hohe Kosten im Rechenzentrum", "Der Betrieb verschlingt viel Strom.", "Erster Punkt", "Zweiter Punkt"]),
    # quotes and questions
    ("„Das ist erst der Anfang“, sagt sie. Ist das realistisch? Experten zweifeln.",
     ["„Das ist erst der Anfang“, sagt sie.", "Ist das realistisch?", "Experten zweifeln."]),
    ("Er fragte: „Wer zahlt das?“ Niemand antwortete.",
     ["Er fragte: „Wer zahlt das?“", "Niemand antwortete."]),
    # a hard-wrapped line continues the sentence
    ("Die Händler verkaufen die Karten\nzu hohen Preisen weiter.",
     ["Die Händler verkaufen die Karten\nzu hohen Preisen weiter."]),
]

EN_CASES = [
    ("The U.S. Commerce Department tightened rules. Chipmakers objected.",
     ["The U.S. Commerce Department tightened rules.", "Chipmakers objected."]),
    ("Sales rose in the U.S. The company did not comment.",
     ["Sales rose in the U.S.", "The company did not comment."]),
    ("Acme Inc. said profit fell. Rivals, e.g. Beta Corp., gained.",
     ["Acme Inc. said profit fell.", "Rivals, e.g. Beta Corp., gained."]),
    ("The model cost approx. $6 million, i.e. far less than rivals. Investors noticed.",
     ["The model cost approx. $6 million, i.e. far less than rivals.", "Investors noticed."]),
    ("On Jan. 27 the stock fell. Dr. Lee called it a correction.",
     ["On Jan. 27 the stock fell.", "Dr. Lee called it a correction."]),
    ("It ranked No. 2 in the survey. Analysts were surprised.",
     ["It ranked No. 2 in the survey.", "Analysts were surprised."]),
    ("Donald J. Trump spoke at noon. Markets moved.",
     ["Donald J. Trump spoke at noon.", "Markets moved."]),
]


@pytest.mark.parametrize("text,expected", DE_CASES)
def test_german_sentences(text, expected):
    assert sentences(text, "de") == expected


@pytest.mark.parametrize("text,expected", EN_CASES)
def test_english_sentences(text, expected):
    assert sentences(text, "en") == expected


def test_unknown_language_uses_generic_rules():
    text = "Premier point. Deuxième point!\nTitre\nTroisième point ? Non."
    assert sentences(text, "fr") == ["Premier point.", "Deuxième point!", "Titre", "Troisième point ?", "Non."]


def test_pipeline_component_sets_the_same_boundaries():
    nlp = build_pipeline("de", PipelineConfig())
    text = "Der Preis lag bei ca. 5 Mio. Euro. Am 3. Juni folgte die Zusage.\nNeue Überschrift"
    doc = nlp(text)
    got = [s.text for s in doc_sentences(doc)]
    assert got == ["Der Preis lag bei ca. 5 Mio. Euro.", "Am 3. Juni folgte die Zusage.", "Neue Überschrift"]
    for s in doc_sentences(doc):
        assert text[s.start:s.end] == s.text


def test_offsets_are_into_the_original_text():
    text = "  Erster Satz.   Zweiter Satz.\n\n• Dritter Punkt  "
    spans = split_sentences(text, load_rules(str(DEFAULT_DATA_DIR), "de"))
    assert [text[s:e] for s, e in spans] == ["Erster Satz.", "Zweiter Satz.", "Dritter Punkt"]
