"""How neighbouring quantity mentions relate: ranges, levels, rates, conversions.

Why a module: a number alone rarely carries everything; "3 bis 5 Mio. Euro"
gives its scale and currency to the 3, "von 5.000 auf 1.000 Punkte" gives
"Punkte" to the 5.000, "75.000 Yuan pro Monat, früher etwa 180.000 Yuan"
gives the rate to the second amount, and "200.000 Yuan (ca. 28.000 Dollar)"
makes the second a conversion of the first. These steps run after every
mention was built, on mentions in text order.

Rates ("per"): after the span ("pro Monat", "je Aktie", "a barrel", "im
Monat" even after a noun: "1.450 Euro Kaltmiete im Monat"), before it in the
same clause ("Pro Kopf gaben ...", "Monatsmiete", "annual", "Ein Liter Diesel
kostete ..."), shared by a conversion and its original, and inherited by a
later amount in the same unit when a word like "früher"/"from" links them.
"""
from __future__ import annotations

import re

from nlp.quantity_changes import change_cue_before
from nlp.quantity_lexicon import QuantityLexicon, norm
from nlp.quantity_mentions import OPENERS, Mention, bare, clause_tokens_before, prev_word

_CLOSE_AFTER_PAREN = re.compile(r"\s*[)\],;]")
_PAREN_CLOSE = re.compile(r"\s*\)")
# "by X to Y" after a change verb is a range of the change only when its ends are of a size
# ("fall by 75 to 100 basis points", "by 1 to 5 percent"); a far larger second number is the
# new level ("fell by 6,000 to 221,000")
_CHANGE_RANGE_MAX_RATIO = 5
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÄÖÜ\"„“]|\n")


# --- ranges and levels --------------------------------------------------------------------------

def merge_ranges(ms: list[Mention], text: str, lex: QuantityLexicon) -> list[Mention]:
    """Join "3 bis 5 Mio.", "zwischen 3 und 5 %", "3–5 %", "between $3bn and $4bn" into one mention."""
    out: list[Mention] = []
    i = 0
    while i < len(ms):
        if i + 1 < len(ms):
            merged = _range_of(ms[i], ms[i + 1], text, lex)
            if merged == "drop":                 # "3-1": a score, not a range
                i += 2
                continue
            if merged is not None:
                out.append(merged)
                i += 2
                continue
        out.append(ms[i])
        i += 1
    return out


def _range_of(a: Mention, b: Mention, text: str, lex: QuantityLexicon) -> Mention | str | None:
    if a.kind not in ("digits", "word") or b.kind not in ("digits", "word") or a.low is not None:
        return None
    if b.num_start - a.end > 16:
        return None
    connector = norm(text[a.end:b.num_start])
    dash = connector in ("-", "\u2013", "\u2014")
    if not (connector in lex.range_connectors
            or connector in lex.lead_connectors.get(a.lead or "", ())):
        return None
    if a.unit is not None and b.unit is not None and a.unit != b.unit:
        return None
    if a.unit is not None and not a.money and b.unit is None and not b.scaled:
        return None                              # "38 points to 8,214": a range writes its unit last
    # the first end takes the second's scale ("3 bis 5 Mio.") or unit factor ("75 to 100 basis points")
    factor = b.factor if (not a.scaled and (b.scaled or a.unit is None)) else a.factor
    low, high = a.base * factor, b.value
    if connector in lex.level_to and change_cue_before(a, text, lex) \
            and (a.explicit or prev_word(text, a.outer_start) not in lex.change_links
                 or high > _CHANGE_RANGE_MAX_RATIO * low):
        return None      # "rose (from) 3 to 5 percent", "dropped by $200 million to $1.1 billion",
                         # "fell by 6,000 to 221,000": change and level;
                         # but "fall by 75 to 100 basis points" is a range
    if _bare_year(a) and _bare_year(b):
        return None
    if low >= high:
        return "drop" if dash and not a.explicit and not b.explicit else None
    start = a.lead_start if a.lead in lex.span_leads else a.start
    merged = Mention(start, a.num_start, a.core_start, b.core_end, b.end, b.kind, b.base,
                     factor=b.factor, scaled=a.scaled or b.scaled, unit=b.unit or a.unit,
                     money=a.money or b.money, per=b.per or a.per, rate_end=b.rate_end,
                     qualifier="range", digit=b.digit, word=b.word, low=low, high=high)
    if a.lead and a.lead not in lex.span_leads:
        merged.lead, merged.lead_start = a.lead, a.lead_start
    return merged


def merge_digit_shares(ms: list[Mention], text: str, lex: QuantityLexicon) -> list[Mention]:
    """Join "7 in 10", "9 out of 10", "3 von 4" (two bare integers, the first smaller, the second at
    most 1,000 and without a unit: "2 in 5 minutes" is no share) into one share in percent, like the
    word shares "one in five"."""
    out: list[Mention] = []
    i = 0
    while i < len(ms):
        a = ms[i]
        b = ms[i + 1] if i + 1 < len(ms) else None
        if b is not None and _share_part(a) and _share_part(b) and (_bare_int(a) or _bare_int(b)) \
                and 0 < a.value < b.value <= _SHARE_MAX_WHOLE \
                and norm(text[a.end:b.start]) in lex.share_joiners and b.per is None and a.change is None:
            share = Mention(a.start, a.num_start, a.core_start, b.core_end, b.end, "share",
                            100 * a.value / b.value, unit="percent", qualifier=a.qualifier,
                            qualifier_text=a.qualifier_text)
            out.append(share)
            i += 2
            continue
        out.append(a)
        i += 1
    return out


_SHARE_MAX_WHOLE = 1000


def _bare_int(m: Mention) -> bool:
    d = m.digit
    return m.kind == "digits" and d is not None and d.integer and not d.grouped and not m.explicit \
        and m.low is None and m.unit is None


def _share_part(m: Mention) -> bool:
    """A bare integer in digits or words: "9", "nine" (a side of "Nine out of 10", "neun von 10")."""
    return _bare_int(m) or (m.kind == "word" and not m.scaled and m.unit is None and m.low is None
                            and not m.explicit and float(m.value).is_integer())


def _bare_year(m: Mention) -> bool:
    d = m.digit
    return m.kind == "digits" and d is not None and not m.explicit and d.integer \
        and not d.grouped and 1900 <= d.value <= 2100


def pair_levels(ms: list[Mention], text: str, lex: QuantityLexicon) -> None:
    """Pairs whose first number borrows the second's unit, scale and rate.

    "von 5.000 auf unter 1.000 Punkte" (the 5.000 is the old level, no change)
    and "58 statt 49 Euro im Monat" / "5 versus 7 percent" (alternatives).
    The other way round, a bare new level takes the unit of the change before it
    ("slipped 38 points to 8,214", "fell $2 to 71.40").
    """
    for i, (a, b) in enumerate(zip(ms, ms[1:])):
        if b.unit is None and not b.scaled and prev_word(text, b.start) in lex.level_to:
            source = _level_unit_source(ms[max(0, i - 1):i + 1], b, text, lex)
            if source is not None:
                b.unit, b.money = source.unit, source.money
                continue
        if b.start - a.end > 16 or a.low is not None:
            continue
        gap = norm(text[a.end:b.start])
        levels = a.lead in lex.level_from and gap in lex.level_to
        if not levels and gap not in lex.pair_connectors:
            continue
        if a.unit is None and b.unit is not None:
            a.unit, a.money = b.unit, b.money
        if not a.scaled and b.scaled:
            a.factor, a.scaled = b.factor, True
        if a.unit == b.unit:
            a.level = levels
            a.per = a.per or b.per


def _level_unit_source(before: list[Mention], b: Mention, text: str, lex: QuantityLexicon) -> Mention | None:
    """The change whose unit a bare new level takes: the amount right before "to"/"auf",
    or the one before an appended percentage ("fell 450 points, or 1.1%, to 42,300")."""
    for a in reversed(before):
        gap = text[a.end:b.start]
        if len(gap) > 40 or _SENTENCE_BREAK.search(gap) or a.lead in lex.level_from:
            return None
        if ("money" if a.money else a.unit) in lex.level_inherits:
            return a
        if a.unit != "percent":
            return None
    return None


# --- rates ----------------------------------------------------------------------------------------

def rate_after(text: str, mn: Mention, lex: QuantityLexicon) -> None:
    """A rate phrase after the span: "pro Monat", "je Aktie", "a barrel", "Kaltmiete im Monat"."""
    found = _rate_at(text, mn.end, mn.explicit, lex)
    if found:
        mn.per, mn.rate_end = found


def _rate_at(text: str, pos: int, explicit: bool, lex: QuantityLexicon) -> tuple[str, int] | None:
    """(rate label, end of the phrase) of a rate phrase starting at `pos`, else None.

    A free word after "pro"/"per" only counts when the quantity has a unit
    ("5 Euro pro Packung"), since "3 pro Woche" reads fine but "5 per se" not.
    """
    m = lex.rate_after_re.match(text, pos)
    if m:
        if m.group("adv"):
            return lex.rate_adverbs[norm(m.group("adv"))], m.end()
        noun = m.group("noun") or m.group("tnoun") or m.group("snoun")
        return lex.rate_nouns[norm(noun)], m.end()
    if explicit:
        generic = lex.generic_per_re.match(text, pos)
        if generic:
            word = norm(generic.group("word"))
            if word not in lex.generic_per_stop and word not in lex.stopwords:
                return word, generic.end()
    return None


def assign_rates(ms: list[Mention], text: str, lex: QuantityLexicon) -> None:
    """Rates written before a quantity, and rates inherited from an earlier amount."""
    prev_end = 0
    for i, mn in enumerate(ms):
        if mn.per is None and mn.unit != "multiple":
            mn.per = _rate_before(text, mn, lex, prev_end)
        if mn.per is None and mn.money and i > 0:
            mn.per = _inherited_rate(ms[:i], mn, text, lex)
        prev_end = mn.outer_end
    for mn in ms:                                   # a conversion states the same rate
        if mn.conversion_of is not None:
            original = ms[mn.conversion_of]
            original.per = original.per or mn.per
            mn.per = mn.per or original.per


def _rate_before(text: str, mn: Mention, lex: QuantityLexicon, lo: int) -> str | None:
    """ "Pro Kopf gaben ... 1.300 Euro", "die Monatsmiete ... 3.000 Franken", "Ein Liter ... 1,62 Euro"."""
    toks = clause_tokens_before(text, mn.outer_start, lo, 90, lex.abbreviations)[-8:]
    words = [bare(t) for t in toks]
    if lo > 0:                                      # an earlier quantity: its clause keeps its rate words
        stops = [i for i, w in enumerate(words) if w in lex.clause_stops]
        if stops:                                   # "40 GWh of annual capacity and will employ 3,200"
            toks, words = toks[stops[-1] + 1:], words[stops[-1] + 1:]
    prefixes = tuple(lex.rate_compound_prefixes)
    if not (mn.money and prefixes and any(t.lstrip(OPENERS).startswith(prefixes) for t in toks)) \
            and lex.rate_triggers.isdisjoint(words):
        return None                                 # nothing here can state a rate
    for i in range(len(toks) - 1, -1, -1):
        word = words[i]
        pair = " ".join(words[i:i + 2])
        if pair in lex.rate_adverbs:
            return lex.rate_adverbs[pair]
        if word in lex.rate_adverbs:
            return lex.rate_adverbs[word]
        if word in lex.rate_adjectives:
            return lex.rate_adjectives[word]
        following = toks[i + 1].strip(",.;:") if i + 1 < len(toks) else ""
        if word in lex.rate_markers and norm(following) in lex.rate_nouns \
                and (word not in lex.rate_unit_subjects or mn.money):
            return lex.rate_nouns[norm(following)]      # "Pro Kopf", "Pro Spiel"
        if mn.money and word in lex.rate_unit_subjects and norm(following) in lex.rate_nouns \
                and following[:1].isupper() == (lex.lang == "de") \
                and lex.rate_nouns[norm(following)] not in lex.rate_time_labels:
            return lex.rate_nouns[norm(following)]      # "Ein Liter Diesel kostete"
        token = toks[i].strip(",.;:()\"„“")
        for prefix, label in lex.rate_compound_prefixes.items():
            if token.startswith(prefix) and len(token) > len(prefix) + 2 and mn.money:
                return label                            # "Monatsmiete", "Jahresgehalt"
    return None


def _inherited_rate(before: list[Mention], mn: Mention, text: str, lex: QuantityLexicon) -> str | None:
    """ "75.000 Yuan pro Monat, früher etwa 180.000 Yuan": the same rate, an earlier level."""
    for other in reversed(before[-3:]):
        if other.per is None or other.unit != mn.unit:
            continue
        gap = text[other.outer_end:mn.start]
        if len(gap) > 80 or _SENTENCE_BREAK.search(gap):
            return None
        if any(bare(w) in lex.rate_inherit_markers for w in gap.split()):
            return other.per
    return None


# --- currencies left out -------------------------------------------------------------------------------

def subunit_currencies(ms: list[Mention], text: str) -> None:
    """English "cents" default to US cents; next to an amount in another currency that has cents,
    they are hundredths of that one ("€1.75 a litre, up 4 cents", "rose 5 cents to €1.20")."""
    for i, mn in enumerate(ms):
        if not mn.subunit_of:
            continue
        near = sorted((m for m in ms if m is not mn and m.money and not m.subunit_of),
                      key=lambda m: abs(m.start - mn.start))
        for other in near[:1]:
            lo, hi = sorted((other.end, mn.start)) if other.start < mn.start else sorted((mn.end, other.start))
            if not _SENTENCE_BREAK.search(text[lo:hi]) and other.unit in mn.subunit_of:
                mn.unit = other.unit


# what follows an amount: the end of its clause, or two words ("weniger als")
_AFTER_AMOUNT = re.compile(r"[ \u00a0]*(?:(?P<end>[.,;:!?)\u2013\u2014]|$)"
                           r"|(?P<word>[^\W\d_]+)[ \u00a0]+(?P<next>[^\W\d_]+))")


def inherit_currency(ms: list[Mention], text: str, lex: QuantityLexicon) -> None:
    """ "1,8 Mrd. Euro, rund eine Milliarde weniger als im Vorjahr": the currency is written once.

    A scaled amount without unit after a scaled amount of money in the same sentence
    is money in that currency when nothing it could count follows: it ends its clause
    or a comparison follows ("weniger als", "more than"). "2 Millionen Kunden" counts
    its noun and stays a count.
    """
    for i, mn in enumerate(ms):
        if mn.unit is not None or mn.money or not mn.scaled or mn.kind not in ("digits", "word", "article"):
            continue
        if not _elliptic_end(text, mn.outer_end, lex):
            continue
        other = next((o for o in reversed(ms[max(0, i - 3):i]) if o.scaled), None)
        if other is not None and other.money:        # the nearest scaled amount is money
            gap = text[other.end:mn.start]
            if len(gap) <= 120 and not _SENTENCE_BREAK.search(gap):
                mn.unit, mn.money = other.unit, True


def _elliptic_end(text: str, pos: int, lex: QuantityLexicon) -> bool:
    """Nothing an amount could count follows `pos`: a clause end or "weniger als"/"less than"."""
    m = _AFTER_AMOUNT.match(text, pos)
    if not m:
        return False
    if m.group("end") is not None:
        return True
    return norm(m.group("word")) in lex.comparison_after and norm(m.group("next")) in lex.comparison_references


# --- conversions and points ------------------------------------------------------------------------

def mark_conversions(ms: list[Mention], text: str, lex: QuantityLexicon) -> None:
    """ "200.000 Yuan (ca. 28.000 Dollar)": the second amount converts the first.

    A rate written after the closing parenthesis belongs to both amounts.
    """
    for j in range(1, len(ms)):
        a, b = ms[j - 1], ms[j]
        if not (a.money and b.money and a.unit != b.unit) or a.conversion_of is not None \
                or b.start - a.end > 40:
            continue
        gap = lex.conversion_re.match(text, a.end, b.start)
        if not gap or (gap.group("paren") and not _CLOSE_AFTER_PAREN.match(text, b.end)):
            continue
        b.conversion_of = j - 1
        if gap.group("paren") and a.per is None and b.per is None:
            close = _PAREN_CLOSE.match(text, b.end)    # "2.800 Franken (ca. 3.100 $) im Monat"
            found = _rate_at(text, close.end(), True, lex) if close else None
            if found:
                a.per = found[0]
        a.per = a.per or b.per
        b.per = b.per or a.per


def points_as_percentage_points(ms: list[Mention], text: str) -> None:
    """ "stieg um 0,4 Punkte auf 6,4 Prozent": points that change a percentage are percentage points."""
    for i, mn in enumerate(ms):
        if mn.unit != "points" or mn.change is None:
            continue
        for other in ms[max(0, i - 3):i + 4]:
            if other.unit != "percent" or other.change is not None:
                continue                            # "fell 450 points, or 1.1%": index points
            lo, hi = sorted((mn.end, other.end))
            if hi - lo < 160 and not _SENTENCE_BREAK.search(text, min(mn.start, other.start), hi):
                mn.unit = "percentage_points"
                break
