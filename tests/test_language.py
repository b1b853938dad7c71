"""Language identification from stopword profiles, and when the HTML hint decides."""
from __future__ import annotations

import pytest

from nlp.language import detect_language, normalize_lang

CASES = [
    ("Die Bundesregierung hat am Mittwoch beschlossen, dass die Förderung für kleine Betriebe "
     "im kommenden Jahr deutlich steigen soll.", "de"),
    ("The central bank said on Thursday that it would keep its key rate unchanged for the rest "
     "of the year because inflation is still too high.", "en"),
    ("Le gouvernement a annoncé mardi que les aides pour les petites entreprises seront "
     "augmentées dans les prochains mois.", "fr"),
    ("El banco central dijo el jueves que mantendrá los tipos de interés sin cambios durante "
     "el resto del año.", "es"),
    ("Il governo ha annunciato che gli aiuti per le piccole imprese saranno aumentati nei "
     "prossimi mesi.", "it"),
    ("De regering heeft dinsdag aangekondigd dat de steun voor kleine bedrijven in de komende "
     "maanden wordt verhoogd.", "nl"),
    ("Rząd poinformował we wtorek, że pomoc dla małych firm zostanie zwiększona w ciągu "
     "najbliższych miesięcy.", "pl"),
    ("O governo anunciou na terça-feira que a ajuda para as pequenas empresas vai ser aumentada "
     "nos próximos meses e que não haverá cortes.", "pt"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_detects_language_of_news_sentences(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text,hint,expected", [
    ("Nvidia H100", "de-DE", "de"),             # too short: the hint decides
    ("Nvidia H100", None, "und"),               # nothing to go on
    ("Quartalszahlen", "en", "en"),
    # a clearly German text wins over a wrong site-wide hint
    ("Der Konzern teilte mit, dass der Umsatz im dritten Quartal um zwölf Prozent gestiegen ist "
     "und die Prognose für das Gesamtjahr bestätigt wird.", "en", "de"),
])
def test_hint_used_only_when_text_is_not_decisive(text, hint, expected):
    assert detect_language(text, hint=hint) == expected


@pytest.mark.parametrize("code,expected", [
    ("de-DE", "de"), ("EN_us", "en"), ("fr", "fr"), ("", None), (None, None), ("x-default", None),
])
def test_normalize_lang(code, expected):
    assert normalize_lang(code) == expected
