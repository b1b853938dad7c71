"""Numbers as written in German and English news, turned into floats.

Why a module of its own: the same digits mean different things by language
("4.800" is 4800 in German and 4.8 in English) and numbers are also written as
words ("einhundertdrei", "zweieinhalb", "one hundred and three"). The quantity
finder (`nlp.quantities`) needs one place that answers "what value is this
surface form?" and "which regex finds such forms?"; this is it.

Digit rules (`parse_digits`):
- Spaces (normal, no-break U+00A0, narrow no-break U+202F, thin U+2009) only
  group thousands: "40 000" -> 40000.
- Both "." and "," present: the last one is the decimal mark ("2.000,35",
  "2,000.35"), the other must group thousands in threes.
- One kind of separator used more than once groups thousands ("1.414.021").
- One separator once, with exactly three digits after it and one to three
  (not starting with 0) before it, is ambiguous ("4.800", "4,800"): the
  document language decides (de: "." groups, "," is decimal; en: the reverse).
- Anything else with one separator is a decimal ("5,6", "5.6"), whichever
  mark is used; `DigitNumber.foreign_decimal` records that the mark is not the
  language's own (a German "2.0" is more likely a version than a decimal).
- Malformed groupings ("2.3.1", "1.23.456") are not numbers (None).

Word rules (`parse_number_words`): German numerals are single compound words
made of the morphemes in `data/quantities/number_words.json` and evaluated left
to right ("hundert"/"tausend" multiply what precedes them, "einhalb" adds 0.5,
"und" joins); English numerals are space/hyphen separated words with the same
multiplier rule and an optional "and a half".
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from nlp.config import DEFAULT_DATA_DIR
from nlp.resources import read_json

SPACE_CHARS = " \u00a0\u202f\u2009"
_SPACES_RE = re.compile(f"[{SPACE_CHARS}]")
_DECIMAL_MARK = {"de": ",", "en": "."}

# A digit token: space-grouped thousands ("40 000,5") or digits joined by "." / ","
# (validated by `parse_digits`). It starts with a bare \d so the regex engine can
# skip to digits quickly; callers reject tokens glued to a letter, digit or mark.
DIGITS_PATTERN = (
    rf"\d(?:\d{{0,2}}(?:[{SPACE_CHARS}]\d{{3}}(?!\d))+(?:[.,]\d+)?(?![.,]?\d)"
    rf"|\d*(?:[.,]\d+)*)"
)


class DigitNumber(NamedTuple):
    """A parsed digit token.

    value: the number; integer: no decimal part was written; grouped: thousands
    were separated; foreign_decimal: written with the other language's decimal
    mark (only set when the decimal reading is the only possible one).
    """

    value: float
    integer: bool
    grouped: bool
    foreign_decimal: bool


def _valid_groups(int_part: str, sep: str) -> bool:
    groups = int_part.split(sep)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def parse_digits(token: str, lang: str) -> DigitNumber | None:
    """Value of a digit token such as "1.414.021", "5,6", "40 000" (None if malformed)."""
    spaced = bool(_SPACES_RE.search(token))
    t = _SPACES_RE.sub("", token)
    if not t or not t[0].isdigit() or not t[-1].isdigit():
        return None
    decimal_mark = _DECIMAL_MARK.get(lang, ".")
    has_dot, has_comma = "." in t, "," in t
    if spaced:
        # spaces group thousands, so a trailing "." or "," can only be the decimal mark
        head, sep, frac = _split_last(t)
        if not head.isdigit():
            return None
        value = float(head + ("." + frac if sep else ""))
        return DigitNumber(value, not sep, True, bool(sep) and sep != decimal_mark)
    if not has_dot and not has_comma:
        return DigitNumber(float(t), True, False, False)
    if has_dot and has_comma:
        dec = "." if t.rfind(".") > t.rfind(",") else ","
        thou = "," if dec == "." else "."
        int_part, frac = t.rsplit(dec, 1)
        if thou in frac or not _valid_groups(int_part, thou):
            return None
        return DigitNumber(float(int_part.replace(thou, "") + "." + frac), False, True,
                           dec != decimal_mark)
    sep = "." if has_dot else ","
    parts = t.split(sep)
    if len(parts) > 2:
        if not _valid_groups(t, sep):
            return None
        return DigitNumber(float("".join(parts)), True, True, False)
    head, tail = parts
    ambiguous = len(tail) == 3 and 1 <= len(head) <= 3 and not head.startswith("0")
    if ambiguous and sep != decimal_mark:
        return DigitNumber(float(head + tail), True, True, False)
    return DigitNumber(float(head + "." + tail), False, False, sep != decimal_mark)


def _split_last(t: str) -> tuple[str, str, str]:
    """Split "40000,5" into ("40000", ",", "5"); no separator -> (t, "", "")."""
    pos = max(t.rfind("."), t.rfind(","))
    if pos < 0:
        return t, "", ""
    return t[:pos], t[pos], t[pos + 1:]


class NumberWords(NamedTuple):
    """The number-word vocabulary of one language (see number_words.json)."""

    values: dict[str, float]          # morpheme / word -> value (lowercase)
    multipliers: dict[str, float]
    joiners: frozenset[str]
    compound: bool                    # German: one word; English: several words
    half_suffix: str | None           # "and a half"
    pattern: str                      # regex source of one numeral (no boundaries)


@lru_cache(maxsize=16)
def number_words(lang: str, data_dir: str = str(DEFAULT_DATA_DIR)) -> NumberWords | None:
    """The vocabulary for `lang`, or None when the data file does not cover it."""
    data = read_json(str(Path(data_dir) / "quantities" / "number_words.json")).get(lang)
    if data is None:
        return None
    compound = "morphemes" in data
    values = {k.lower(): float(v) for k, v in (data["morphemes"] if compound else data["words"]).items()}
    joiners = frozenset(j.lower() for j in data.get("joiners", ()))
    alternation = _alternation(list(values) + list(joiners))
    if compound:
        pattern = f"(?:{alternation})+"
    else:
        word = _alternation(list(values))
        joiner = "|".join(re.escape(j) for j in joiners)
        after_multiplier = "(?:" + "|".join(f"(?<={re.escape(m)})" for m in data.get("multipliers", {})) + ")"
        pattern = (rf"(?:{word})(?:(?:[ \u00a0-]+|{after_multiplier}[ \u00a0]+(?:{joiner})[ \u00a0]+)"
                   rf"(?:{word})(?![^\W\d_]))*")
        if data.get("half_suffix"):
            half = r"[ \u00a0]+".join(map(re.escape, data["half_suffix"].split()))
            pattern += rf"(?:[ \u00a0]+{half})?"
    return NumberWords(values, {k.lower(): float(v) for k, v in data.get("multipliers", {}).items()},
                       joiners, compound, data.get("half_suffix"), pattern)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=16)
def _morpheme_re(lang: str, data_dir: str) -> re.Pattern[str]:
    vocab = number_words(lang, data_dir)
    return re.compile(_alternation(list(vocab.values) + list(vocab.joiners)))


def parse_number_words(token: str, lang: str, data_dir: str = str(DEFAULT_DATA_DIR)) -> float | None:
    """Value of a numeral written in words ("zweihundertdrei", "twenty-one"); None if not one."""
    vocab = number_words(lang, data_dir)
    if vocab is None:
        return None
    low = token.lower()
    half = 0.0
    if vocab.compound:
        parts = _morpheme_re(lang, data_dir).findall(low)
        if "".join(parts) != low:
            return None
    else:
        if vocab.half_suffix and low.endswith(vocab.half_suffix):
            low, half = low[: -len(vocab.half_suffix)], 0.5
        parts = [p for p in re.split(r"[\s\u00a0-]+", low) if p]
    if not _well_formed(parts, vocab):
        return None
    total = current = 0.0
    for part in parts:
        if part in vocab.joiners:
            continue
        value = vocab.values[part]
        if part in vocab.multipliers:
            if value >= 1000:
                total += (current or 1) * value
                current = 0.0
            else:
                current = (current or 1) * value
        else:
            current += value
    return total + current + half


def _well_formed(parts: list[str], vocab: NumberWords) -> bool:
    """Reject sequences that are several numbers, not one ("zwei drei", "two and three").

    Without a joiner, two number tokens may only follow each other when one of
    them multiplies, the second adds a half ("zweieinhalb"), or a ten is followed
    by a unit ("twenty-one"). A joiner stands between a unit and a ten
    ("einundzwanzig") or after a multiplier ("hundred and three").
    """
    if not parts or parts[0] in vocab.joiners or parts[-1] in vocab.joiners:
        return False
    prev: str | None = None
    joined = False
    for part in parts:
        if part in vocab.joiners:
            if joined or prev is None:
                return False
            joined = True
            continue
        if part not in vocab.values:
            return False
        if prev is not None:
            a, b = vocab.values[prev], vocab.values[part]
            if joined:
                ok = (a < 10 and b >= 20 and b % 10 == 0 and b < 100) or prev in vocab.multipliers
            else:
                ok = (prev in vocab.multipliers or part in vocab.multipliers or b == 0.5
                      or (20 <= a < 100 and a % 10 == 0 and 1 <= b < 10))
            if not ok:
                return False
        prev, joined = part, False
    return True
