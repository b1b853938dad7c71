"""WordStartScanner finds exactly what `finditer` finds, while trying patterns only at word starts."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from nlp.entity_rules import load_entity_rules
from nlp.regex_scan import WordStartScanner, word_start_class

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
]
PIECES = ["FC Köln", "SC Paderborn", "Bayer-Werk", "über", "Ärger", "laut  Reuters", "gemäß Bericht",
          "-", " ", "\t", ",", ".", "Mio.", "Mrd", "XMio", "Meier AG", "Xa", "-Xa", "aXa", "GmbH", "Nord-Ost",
          "ÖkoTest", "1.", "\n"]


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


def test_scan_equals_finditer_on_random_texts():
    scanner = WordStartScanner(tuple(re.compile(p) for p in PATTERNS))
    rng = random.Random(11)
    for _ in range(2000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        expected = [[(m.start(), m.end()) for m in p.finditer(text)] for p in scanner.patterns]
        assert [[(m.start(), m.end()) for m in ms] for ms in scanner.scan(text)] == expected, text


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
