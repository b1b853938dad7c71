"""WordStartScanner finds exactly what `finditer` finds, while trying patterns only at word starts."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from nlp.entity_rules import load_entity_rules
from nlp.regex_scan import WordStartScanner, literal_starts, word_start_class

DATA = Path(__file__).resolve().parents[1] / "nlp" / "data"
SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "articles"

PATTERNS = [
    r"(?<![\w])(?:Mio|Mrd)\.?",
    r"(?<![\w\-])(?P<ent>(?:FC|SC) [A-ZÄÖÜ]\w+)",
    r"(?<![\wÄÖÜäöüß\-])(?P<ent>[A-ZÄÖÜ][a-zäöü]+(?:-[A-Z]\w+)?)",
    r"\b(?:laut|gemäß)\s+\w+",
    r"[ \t](?:AG|GmbH)\b",                  # starts at a space: run with finditer
    r"(?P<ent>[A-Z][a-z]+) AG",            # may start inside a word: run with finditer
    r"(?<![\-.])Xa",                      # the lookbehind does not exclude word characters
    # may start inside a word ("Konzernchef"), always with one of a few strings: found with str.find
    r"(?:Chef|chef|Leiter|leiter|Direktor|direktor|Sprecher|sprecher|Analyst|analyst|Präsident|ökonom|Dr\.|aa)"
    r"(?:in)?[ \t]+(?P<ent>[A-ZÄÖÜ][a-zäöü]+)",
]
PIECES = ["FC Köln", "SC Paderborn", "Bayer-Werk", "über", "Ärger", "laut  Reuters", "gemäß Bericht",
          "-", " ", "\t", ",", ".", "Mio.", "Mrd", "XMio", "Meier AG", "Xa", "-Xa", "aXa", "GmbH", "Nord-Ost",
          "ÖkoTest", "1.", "\n", "Konzernchef", "chef", "Sprecherin", "Leiter", "Dr.", "Chefchef", "Wirtschaftsökonom"]


def test_word_start_class_accepts_lookbehinds_that_exclude_word_characters():
    assert word_start_class(re.compile(r"(?<![\w])Ab")) is not None
    assert word_start_class(re.compile(r"(?<![\w\-])(?P<ent>Ab)")) is not None
    assert word_start_class(re.compile(r"(?<![\wÄÖÜ\-.])(?:Ab|Cd)")) is not None
    assert word_start_class(re.compile(r"\bAb")) is not None
    assert word_start_class(re.compile(r"(?<![\-.])Ab")) is None         # may follow a letter
    assert word_start_class(re.compile(r"(?<![^\w])Ab")) is None         # negated class
    assert word_start_class(re.compile(r"(?<!\w\w)Ab")) is None          # two characters back
    assert word_start_class(re.compile(r"Ab")) is None
    assert word_start_class(re.compile(r"[ \t]Ab")) is None


def test_literal_starts_are_the_strings_every_match_starts_with():
    assert literal_starts(re.compile(PATTERNS[-1])) == tuple(sorted(
        "Chef chef Leiter leiter Direktor direktor Sprecher sprecher Analyst analyst Präsident ökonom Dr. aa".split()))
    assert literal_starts(re.compile(r"(?<![\-])(?:ab|Bc|cd|Dx|ef|Fg|gh|Hi)(?:yz)?\d")) == (
        "Bc", "Dx", "Fg", "Hi", "ab", "cd", "ef", "gh")
    assert {"Senior", "ab"} <= set(literal_starts(re.compile(r"(?:ab|Bc|cd|Dx|ef|Fg|gh|Hi|Senior[ \t]+[A-Z])x")))
    assert literal_starts(re.compile(r"[ \t](?:AG|GmbH|SE|Inc|Corp|Ltd|LLC|PLC)")) is None   # two first characters
    assert literal_starts(re.compile(r"(?:ab|Bc|cd|Dx|ef|Fg|gh|Hi)", re.IGNORECASE)) is None
    assert literal_starts(re.compile(r"(?i:ab|Bc|cd|Dx|ef|Fg|gh|Hi)")) is None
    assert literal_starts(re.compile(r"(?:ab|Bc|cd|Dx|ef|Fg|gh|Hi|\w)x")) is None
    assert literal_starts(re.compile(r"(?:ab|Bc|cd|Dx|ef|Fg|gh|Hi)?x")) is None


def test_scan_equals_finditer_on_random_texts():
    scanner = WordStartScanner(tuple(re.compile(p) for p in PATTERNS))
    assert scanner._starts[-1] is not None          # the str.find path is tested too
    rng = random.Random(11)
    for _ in range(2000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        expected = [[(m.start(), m.end()) for m in p.finditer(text)] for p in scanner.patterns]
        assert [[(m.start(), m.end()) for m in ms] for ms in scanner.scan(text)] == expected, text


@pytest.mark.parametrize("text", [
    "Dr. Chefchef Meier",               # a start inside a match is no match of its own
    "aaa Meier und aaaa Ost",           # starts that overlap themselves
    "Konzernchef Meier, Chefin Ost und Dr. Dr.",
])
def test_scan_equals_finditer_where_starts_overlap_or_lie_inside_a_match(text):
    scanner = WordStartScanner((re.compile(PATTERNS[-1]),))
    assert [m.span() for m in scanner.scan(text)[0]] == [m.span() for m in scanner.patterns[0].finditer(text)]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_entity_rules_scan_like_finditer_on_the_sample_articles(lang):
    rules = load_entity_rules(str(DATA), lang)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.iterdir()) if p.is_file()]
    assert texts
    scanned = sum(first is not None for first in rules.scanner._first)
    assert scanned >= len(rules.rules) // 2        # the lookbehind-prefixed rules among them
    for text in texts:
        got = [[(m.start(), m.end()) for m in ms] for ms in rules.scanner.scan(text)]
        assert got == [[(m.start(), m.end()) for m in p.finditer(text)] for p in rules.scanner.patterns]
