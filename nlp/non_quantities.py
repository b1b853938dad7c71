"""What looks like a quantity but is not one, and the checks that decide it.

Why a module: most digits in a news page are no claims - dates, years, clock
times, phone numbers, ids, page furniture, model names ("H100", "RTX 4090"),
ordinals - and number words are often idioms ("einer der", "one day"). These
rules are the precision of the quantity finder, so they live together; the
patterns and word lists they use are in data/quantities/non_quantities.json
(plus the time-scope words in units.json).

Two stages: `blocked_spans` / `identifier_before` drop a number before any
work is done on it (it is inside a date, URL, phone number, or follows "Nr.",
"Seite", a street name); `is_quantity` decides after the mention was built and
its unit, scale and neighbours are known (a bare year, a version "2.0", a
count word without a noun, a duration that only scopes another quantity).
"""
from __future__ import annotations

import bisect
import re

from nlp.quantity_lexicon import QuantityLexicon, norm
from nlp.quantity_mentions import Mention, prev_word, tokens_before

YEAR_RANGE = (1900, 2100)
_MAX_ID_DIGITS = 7        # ungrouped integers this long are identifiers, not amounts
_SP_WORD = re.compile(r"[ \u00a0]+([^\W\d_][\w-]*)")
_SIGNED_UNITS = frozenset({"percent", "percentage_points"})


def blocked_spans(text: str, lex: QuantityLexicon) -> tuple[list[int], list[int]]:
    """Sorted, disjoint (starts, ends) of everything that is not a quantity (dates, URLs, ...)."""
    spans = sorted([m.span() for m in lex.digit_block_re.finditer(text)]
                   + [m.span() for m in lex.anchored_block_re.finditer(text)])
    starts: list[int] = []
    ends: list[int] = []
    for s, e in spans:
        if ends and s <= ends[-1]:
            ends[-1] = max(ends[-1], e)             # a date inside a URL: one blocked stretch
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def overlaps(blocked: tuple[list[int], list[int]], start: int, end: int) -> bool:
    starts, ends = blocked
    i = bisect.bisect_left(starts, end)            # the last stretch starting before `end`
    return i > 0 and ends[i - 1] > start


def identifier_before(text: str, pos: int, lex: QuantityLexicon) -> bool:
    """ "Nr. 5", "Seite 2 von 5", "Tel. 089 123 456", "Friedrichstraße 68", "March 29"."""
    toks = tokens_before(text, pos, 40)
    if not toks:
        return False
    words = [t for _, t in toks]
    last = words[-1].rstrip(":#")
    if last in lex.id_words or words[-1] in lex.id_words:
        return True
    if lex.lang == "en" and last.rstrip(".") in lex.month_names:
        return True                                # "March 29"
    if lex.lang == "en" and len(words) >= 3 and norm(last) in lex.range_connectors \
            and words[-2].isdigit() and words[-3].rstrip(".") in lex.month_names:
        return True                                # "Sept. 26 to 28": the end of a date range
    if lex.street_suffixes and last.lower().endswith(lex.street_suffixes) and last[:1].isupper():
        return True                                # "Friedrichstraße 68"
    if len(words) >= 3 and norm(words[-1]) in ("von", "of", "/") and words[-2].isdigit() \
            and words[-3].rstrip(":#") in lex.id_words:
        return True                                # "Seite 2 von 5"
    for word in reversed(words):
        if word.strip("+()/-").isdigit():
            continue
        return word in lex.phone_words
    return False


def is_quantity(mn: Mention, text: str, lex: QuantityLexicon) -> bool:
    if mn.unit in lex.durations and _scopes_time(text, mn, lex):
        return False
    if mn.low is not None:                         # a range survived its own checks
        return True
    if mn.kind == "digits":
        if lex.furniture_re.match(text, mn.core_end):
            return False                           # "47 Kommentare", "5 min read"
        return mn.explicit or _bare_digits_ok(mn, text, lex)
    if mn.kind == "word":
        if mn.base <= 1:                           # "one day", "null Nachfrage"
            return mn.scaled or mn.money or mn.unit in _SIGNED_UNITS
        if not mn.explicit:
            return norm(mn.word) not in lex.needs_unit_words and (
                _counted_noun_follows(text, mn.end, lex)
                or prev_word(text, mn.start) in lex.count_anaphora_leads)   # "including six that ..."
    if mn.kind == "article":
        return mn.scaled or mn.unit is not None   # "eine Milliarde", "einen Prozentpunkt"
    if mn.kind == "share":
        return True
    if mn.kind == "fraction":
        return prev_word(text, mn.start) not in lex.fraction_not_after
    return True


def _scopes_time(text: str, mn: Mention, lex: QuantityLexicon) -> bool:
    """ "in den kommenden drei Jahren", "binnen 24 Stunden": a time scope, not a quantity.

    As a side effect a bare "über"/"over" right before a measured duration is
    read as a preposition ("Vertrag über fünf Jahre"), not as a lower bound.
    """
    if mn.qualifier_text in lex.scope_prepositions:
        return True                                # "over five years"
    toks = tokens_before(text, mn.outer_start, 50, 5)
    fillers = 0
    for _, token in reversed(toks):
        word = token.lower()
        if word in lex.scope_prepositions or (word in lex.scope_needs_filler and fillers):
            return True
        if word not in lex.scope_fillers or fillers >= 3:
            break
        fillers += 1
    if mn.qualifier == "lower_bound" and mn.start < mn.num_start and \
            text[mn.start:mn.num_start].strip().lower() in lex.scope_needs_filler:
        mn.qualifier, mn.start = None, mn.num_start
    return False


def _bare_digits_ok(mn: Mention, text: str, lex: QuantityLexicon) -> bool:
    """A number with no unit/currency/scale: keep it unless it is a year, id, name or ordinal."""
    d = mn.digit
    if _year_like(mn) or d.foreign_decimal:
        return False
    if d.integer and not d.grouped and len(str(int(abs(d.value)))) >= _MAX_ID_DIGITS:
        return False
    if text[mn.core_start] == "0" and text[mn.core_start + 1:mn.core_start + 2].isdigit():
        return False                               # "030", "007": codes, not amounts
    if text[mn.start - 1:mn.start] == "(" and text[mn.end:mn.end + 1] == ")" and mn.qualifier is None:
        return False
    if mn.qualifier is None and _name_before(text, mn.num_start, lex):
        return False
    if mn.qualifier is None and d.integer and not d.grouped and lex.street_after_re.match(text, mn.core_end):
        return False                               # "350 Fifth Avenue": a house number
    if text[mn.core_end:mn.core_end + 1] == "." and lex.ordinal_determiners \
            and _is_ordinal(text, mn, lex):
        return False
    return True


def _year_like(m: Mention) -> bool:
    d = m.digit
    return (m.kind == "digits" and d is not None and not m.explicit and d.integer and not d.grouped
            and YEAR_RANGE[0] <= d.value <= YEAR_RANGE[1] and not m.sign)


def _name_before(text: str, pos: int, lex: QuantityLexicon) -> bool:
    """ "Windows 11", "RTX 4090", "iOS 17": a model or version number, not an amount."""
    if text[pos - 1:pos] not in (" ", "\u00a0"):
        return False
    toks = tokens_before(text, pos, 30, 1)
    if not toks:
        return False
    token = toks[-1][1]
    if token in lex.name_exempt:
        return False
    if token in lex.name_words:
        return True
    if lex.name_heads and token[:1].isupper():
        head = tokens_before(text, toks[-1][0], 30, 1)
        if head and head[-1][1] in lex.name_heads:
            return True                            # "das Projekt Stuttgart 21"
    letters = [c for c in token if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters) and token.replace("-", "").isalnum():
        return True                                # all caps: RTX, GPT, COVID
    return token.isalnum() and any(a.islower() and b.isupper() for a, b in zip(token, token[1:]))


def _is_ordinal(text: str, mn: Mention, lex: QuantityLexicon) -> bool:
    """German "N." is an ordinal after a determiner, before a lowercase word or an ordinal noun."""
    if mn.qualifier is not None or not mn.digit.integer or mn.digit.grouped:
        return False
    after = _SP_WORD.match(text, mn.core_end + 1)
    if after and (after.group(1)[0].islower() or norm(after.group(1)) in lex.ordinal_nouns
                  or norm(after.group(1)) in lex.months):
        return True
    return prev_word(text, mn.num_start) in lex.ordinal_determiners


def _counted_noun_follows(text: str, pos: int, lex: QuantityLexicon) -> bool:
    m = lex.count_noun_re.match(text, pos)
    if not m:
        return False
    noun = norm(m.group("noun"))
    return noun not in lex.count_noun_blockers and noun not in lex.months
