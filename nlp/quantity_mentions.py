"""The quantity under construction and the small text helpers its builders share.

Why a module: `nlp.quantities` (finding numbers), `nlp.quantity_relations`
(ranges, levels, rates, conversions) and `nlp.quantity_changes` all work on
the same mutable `Mention` and look at the words around it; the helpers use
`str.split` instead of backwards regex searches because they run several
times per number.
"""
from __future__ import annotations

from dataclasses import dataclass

from nlp.numbers import DigitNumber

OPENERS = "([{„“\"'«»‚‘"
CLAUSE_END_CHARS = ",.;:!?)]\"“”»"
DASHES = frozenset({"-", "\u2013", "\u2014"})


@dataclass
class Mention:
    """A quantity under construction (offsets into the searched text)."""

    start: int                 # span start: qualifier, currency prefix or number
    num_start: int             # after the qualifier: currency prefix or number
    core_start: int
    core_end: int
    end: int                   # span end (a rate phrase after it is not part of the span)
    kind: str                  # digits | word | article | fraction | share | mword | mverb
    base: float                # the number before its scale
    factor: float = 1.0
    scaled: bool = False
    unit: str | None = None    # None: no unit written (a count)
    money: bool = False
    per: str | None = None
    rate_end: int = -1         # end of the rate phrase after the span, if any
    qualifier: str | None = None
    qualifier_text: str = ""   # the cue as written ("bis zu", "below")
    lead: str | None = None    # "zwischen", "von", "between", "from" right before it
    lead_start: int = -1
    digit: DigitNumber | None = None
    word: str = ""
    sign: str = ""
    low: float | None = None   # set for merged ranges
    high: float | None = None
    level: bool = False        # old level of a "von X auf Y" pair
    change: str | None = None
    conversion_of: int | None = None
    subunit_of: frozenset[str] = frozenset()   # "cents": the other currencies they may be hundredths of

    @property
    def value(self) -> float:
        return self.base * self.factor

    @property
    def explicit(self) -> bool:
        """A unit, currency or scale is written: the number is surely an amount."""
        return self.unit is not None or self.scaled or self.money

    @property
    def outer_start(self) -> int:
        """Start including a range lead ("von 3 bis 5"): what precedes it is context."""
        return self.lead_start if self.lead else self.start

    @property
    def outer_end(self) -> int:
        return max(self.end, self.rate_end)


def ends_clause(token: str, abbreviations: frozenset[str] = frozenset()) -> bool:
    """Does punctuation on `token` end a clause? ("Mrd." and "ca." do not.)"""
    if token in DASHES:
        return True
    last = token[-1]
    if last not in CLAUSE_END_CHARS:
        return False
    return not (last == "." and token.lstrip(OPENERS).lower() in abbreviations)


def tokens_before(text: str, pos: int, window: int = 60, limit: int = 8) -> list[tuple[int, str]]:
    """(start, token) of the last `limit` whitespace-separated tokens before `pos`, in text order.

    A token cut by the window's left edge is left out. Callers need only a few
    tokens of left context, so this splits from the right and stops early.
    """
    lo = max(0, pos - window)
    chunk = text[lo:pos]
    words = chunk.rsplit(None, limit)
    if len(words) > limit:
        words = words[1:]                          # the rest before the last `limit` tokens
    elif words and lo > 0 and not text[lo - 1].isspace() and not chunk[0].isspace():
        words = words[1:]                          # cut by the window
    out = []
    end = len(chunk)
    for word in reversed(words):
        end = chunk.rfind(word, 0, end)
        out.append((lo + end, word))
    out.reverse()
    return out


def clause_tokens_before(text: str, pos: int, lo: int, window: int = 90,
                         abbreviations: frozenset[str] = frozenset()) -> list[str]:
    """Tokens before `pos` back to the start of its clause (or `lo`), nearest last."""
    toks = tokens_before(text, pos, min(window, max(0, pos - lo)), 14)
    out: list[str] = []
    for _, token in reversed(toks):
        if ends_clause(token, abbreviations):
            break
        out.append(token)
        if token[0] in OPENERS:
            break
    out.reverse()
    return out


def tokens_after(text: str, pos: int, window: int = 60,
                 abbreviations: frozenset[str] = frozenset()) -> list[str]:
    """Tokens after `pos` up to the end of the clause (punctuation ends it, kept on the last).

    A token cut by the window's right edge is left out.
    """
    chunk = text[pos:pos + window]
    words = chunk.split()
    if words and pos + window < len(text) and not text[pos + window].isspace() \
            and not chunk[-1].isspace():
        words.pop()
    out: list[str] = []
    for token in words:
        out.append(token)
        if ends_clause(token, abbreviations):
            break
    return out


def prev_word(text: str, pos: int) -> str:
    """The lowercase token right before `pos` (separated by whitespace), else ""."""
    if pos == 0 or not text[pos - 1].isspace():
        return ""
    words = text[max(0, pos - 40):pos].rsplit(None, 1)
    return words[-1].lower() if words else ""


def bare(token: str) -> str:
    """A token without surrounding punctuation, lowercased ("(Pro" -> "pro")."""
    return token.strip(OPENERS + CLAUSE_END_CHARS).lower()
