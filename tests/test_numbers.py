"""Digit and number-word parsing (nlp.numbers), German and English conventions."""
from __future__ import annotations

import re

import pytest

from nlp.numbers import DIGITS_PATTERN, number_words, parse_digits, parse_number_words

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize("token, lang, value", [
    # unambiguous by shape: language does not matter
    ("1.414.021", "de", 1414021),
    ("1.414.021", "en", 1414021),
    ("1,414,021", "de", 1414021),
    ("1,414,021", "en", 1414021),
    ("2.000,35", "de", 2000.35),
    ("2.000,35", "en", 2000.35),
    ("2,000.35", "de", 2000.35),
    ("2,000.35", "en", 2000.35),
    ("5,6", "de", 5.6),
    ("5,6", "en", 5.6),
    ("5.6", "de", 5.6),
    ("5.6", "en", 5.6),
    ("1234,5", "de", 1234.5),
    ("1234.567", "de", 1234.567),
    ("0,500", "de", 0.5),
    ("0.500", "en", 0.5),
    ("12,75", "de", 12.75),
    ("17", "de", 17),
    ("007", "en", 7),
    # ambiguous "one to three digits, separator, three digits": the language decides
    ("4.800", "de", 4800),
    ("4.800", "en", 4.8),
    ("4,800", "de", 4.8),
    ("4,800", "en", 4800),
    ("200.000", "de", 200000),
    ("200,000", "en", 200000),
    ("200,000", "de", 200.0),
    # spaces of every kind group thousands
    ("40 000", "de", 40000),
    (f"40{NBSP}000", "de", 40000),
    (f"40{NNBSP}000", "en", 40000),
    ("1 000 000", "en", 1000000),
    ("40 000,5", "de", 40000.5),
    ("40 000.5", "en", 40000.5),
])
def test_parse_digits_values(token, lang, value):
    parsed = parse_digits(token, lang)
    assert parsed is not None
    assert parsed.value == pytest.approx(value)


@pytest.mark.parametrize("token", ["2.3.1", "1.23.456", "12.3456.789", "1,2,3", "1.000,5,5", "16.01.2026"])
def test_malformed_groupings_are_not_numbers(token):
    assert parse_digits(token, "de") is None
    assert parse_digits(token, "en") is None


@pytest.mark.parametrize("token, lang, integer, grouped, foreign", [
    ("200.000", "de", True, True, False),
    ("5,6", "de", False, False, False),
    ("5.6", "de", False, False, True),      # an English decimal in German text
    ("2.0", "de", False, False, True),      # ... or a version number
    ("5,6", "en", False, False, True),
    ("2024", "de", True, False, False),
    ("40 000", "en", True, True, False),
])
def test_digit_shape_flags(token, lang, integer, grouped, foreign):
    parsed = parse_digits(token, lang)
    assert (parsed.integer, parsed.grouped, parsed.foreign_decimal) == (integer, grouped, foreign)


@pytest.mark.parametrize("text, tokens", [
    ("Es kostete 1.414.021,50 Euro.", ["1.414.021,50"]),
    ("Rund 40 000 Menschen kamen.", ["40 000"]),
    ("Zwischen 2023 und 2024 kamen 500.", ["2023", "2024", "500"]),
    ("Im Jahr 2000 600 Besucher", ["2000", "600"]),
    ("Es sind 5. Danach", ["5"]),
])
def test_digit_pattern_finds_whole_tokens(text, tokens):
    assert re.findall(DIGITS_PATTERN, text) == tokens


@pytest.mark.parametrize("word, value", [
    ("null", 0), ("ein", 1), ("zwei", 2), ("drei", 3), ("acht", 8), ("zwölf", 12),
    ("Zwölf", 12), ("dreizehn", 13), ("sechzehn", 16), ("siebzehn", 17), ("zwanzig", 20),
    ("einundzwanzig", 21), ("dreiundvierzig", 43), ("sechsundsechzig", 66), ("neunundneunzig", 99),
    ("hundert", 100), ("einhundert", 100), ("einhundertdrei", 103), ("zweihundertelf", 211),
    ("dreihundertfünfundsiebzig", 375), ("tausend", 1000), ("zwölftausend", 12000),
    ("zweihunderttausend", 200000), ("tausendfünfhundert", 1500), ("neunzehnhundert", 1900),
    ("zweieinhalb", 2.5), ("dreieinhalb", 3.5), ("eineinhalb", 1.5), ("anderthalb", 1.5),
    ("dreißig", 30), ("dreissig", 30),
])
def test_german_number_words(word, value):
    assert parse_number_words(word, "de") == pytest.approx(value)


@pytest.mark.parametrize("word", ["und", "zweidrei", "achtacht", "undzwanzig", "zwanzigund", "Achtung"])
def test_german_non_numerals(word):
    assert parse_number_words(word, "de") is None


@pytest.mark.parametrize("words, value", [
    ("zero", 0), ("one", 1), ("two", 2), ("Twelve", 12), ("nineteen", 19), ("twenty", 20),
    ("twenty-one", 21), ("twenty one", 21), ("ninety-nine", 99), ("hundred", 100),
    ("one hundred", 100), ("one hundred and three", 103), ("two hundred fifty", 250),
    ("five thousand", 5000), ("five thousand three hundred", 5300), ("one and a half", 1.5),
    ("two and a half", 2.5),
])
def test_english_number_words(words, value):
    assert parse_number_words(words, "en") == pytest.approx(value)


@pytest.mark.parametrize("words", ["and", "one two", "two and three", "five six", "hundred and", "ten twelve"])
def test_english_sequences_that_are_not_one_numeral(words):
    assert parse_number_words(words, "en") is None


@pytest.mark.parametrize("text, found", [
    ("between two and three", ["two", "three"]),
    ("one hundred and three people", ["one hundred and three"]),
    ("two hundred and fifty million", ["two hundred and fifty"]),
    ("one and a half million", ["one and a half"]),
    ("twenty-five years", ["twenty-five"]),
])
def test_english_numeral_pattern_spans(text, found):
    pattern = re.compile(number_words("en").pattern, re.IGNORECASE)
    assert pattern.findall(text) == found


def test_unknown_language_has_no_number_words():
    assert number_words("xx") is None
    assert parse_number_words("zwei", "xx") is None
