"""Quantities stated in German and English news text: `find_quantities(text, lang)`.

Why regexes and not a parser: the claims stage must handle ~100 articles per
second, and numeric claims in news follow a small grammar around a number:

    [lead] [qualifier] [currency/sign] NUMBER [scale] [currency|unit] [rate] [post-qualifier]
    "zwischen" "rund"  "US$"                "Mrd."  "Euro" "pro Monat" "oder mehr"

Each piece is a pattern or word list built once per language from
`data/quantities/*.json` (`nlp.quantity_lexicon`); numbers are parsed by
`nlp.numbers`; dates, ids, model names and the like are dropped by
`nlp.non_quantities`. Neighbouring mentions are then related
(`nlp.quantity_relations`: ranges, old/new levels, rates, conversions) and
changes are marked (`nlp.quantity_changes`).

Conventions (shared with tests/annotations, see samples/README.md):
- span: qualifier + number + scale + unit ("bis zu 80 Prozent", "5,6 Mio.
  US-Dollar"); never the counted noun ("über 500" Projekte), never a rate
  phrase ("75.000 Yuan" + per "month"), never surrounding parentheses. A range
  span includes "zwischen"/"between" but not "von"/"from".
- unit: ISO 4217 code for money; "percent", "percentage_points" (also
  "Prozentpunkte", basis points / 100, and "Punkte"/"points" that state a
  change next to a percentage), "multiple", "count" (a number without unit;
  also a scale without unit: "6-Millionen-Budget" does not guess a currency),
  or a short lowercase unit ("gw", "km", "km/h", "tonnes", "points", "year").
  Cents and pence are fractions of EUR/USD/GBP ("27,5 Cent" -> 0.275 EUR).
- Digits are quantities unless they are something else: dates, times, scores,
  phone numbers, URLs, e-mails, ISBNs, ids ("Nr. 5", "Seite 2 von 5"), house
  numbers, postal codes, slashed pairs ("1/3", "24/7", "RTX 4080/4090"),
  footnotes, section and list numbers, ordinals ("16.", "der 3. Platz", "1st"),
  house numbers ("Friedrichstraße 68", "350 Fifth Avenue"), the end of a date
  range ("Sept. 26 to 28"),
  digits glued to letters ("H100", "5G", "2000er", "GPT-4", "COVID-19"),
  model/version numbers after a product name or an all-caps/camel-case token
  ("Windows 11", "RTX 4090", "iOS 17.2", "S&P 500"), a bare number alone in
  parentheses ("(0)"), ungrouped integers of 7+ digits (ids), and decimals
  written with the other language's mark and no unit (a German "2.0").
- Years: a bare 4-digit integer 1900-2100 without unit, currency, percent or
  scale is a year, never a quantity ("bis 2029", "Ende 2024"); with a unit it
  is one ("2024 Euro").
- Durations that scope another quantity ("in den kommenden drei Jahren",
  "binnen 24 Stunden", "over the next three years") are time, not
  quantities; durations that are the measure are ("Vertrag über fünf Jahre",
  "Das dauerte anderthalb Jahre").
- Number words: with a unit or scale they are quantities ("zwölf Prozent",
  "zwei Millionen"); without one only when a noun follows ("acht GPUs", "zwei
  ihm bekannte Projekte", "eight-GPU"). Words worth 0 or 1 ("ein", "einer",
  "one day", "null") need a scale or money; a bare "hundert"/"tausend" needs a
  unit. An article plus scale is a quantity ("eine Milliarde Dollar").
- Vague plurals ("Hunderte", "Tausende", "Dutzende", "hundreds", "Millionen
  von Dollar", "Millionenbeträge", "ein Vielfaches") are NOT quantities.
- Fractions are shares in percent ("ein Drittel" -> 33.3, "die Hälfte" -> 50),
  and so are "one in five", "nine out of ten", "zwei von drei" and "jeder
  dritte"; "a quarter point", "half a percentage point", "a quarter of a
  percentage point" are percentage points. An article counts as 1 (or 0.5)
  before a scale or a unit counted one at a time ("eine Milliarde", "um einen
  Prozentpunkt", "einen halben Prozentpunkt", "um einen Cent").
- Multiples: "9x", "9-fach", "neunfach", "Zehnfache", "das Doppelte",
  "ninefold", "verdreifacht", "tripled", "halbiert"/"halved" (0.5), "expected
  to double"; "neunmal", "9 Mal", "nine times", "doppelt", "twice" only before
  a comparison ("neunmal mehr", "viermal höhere", "twice as", not "dreimal
  Weltmeister"), "times" also before a noun ("36 times earnings"). "einmal",
  "einfach" are not multiples.
- Money: ¥ is JPY; Yuan, Renminbi, RMB and CNY are CNY; "Dollar" alone is
  USD; "cents" in English are US cents unless the nearest other amount of the
  sentence is in another currency with cents ("€1.75, up 4 cents"). No other
  context guessing, except that a
  scaled amount without unit after a scaled money amount of the same sentence
  that ends its clause or is compared ("1,8 Mrd. Euro, rund eine Milliarde
  weniger als im Vorjahr") is written in that currency, and a bare new level
  after "to"/"auf" takes the points or currency of the change before it
  ("slipped 38 points to 8,214", "fell $2 to 71.40"). English "m"
  glued to digits is million ("$5.6m", "5m users"); "k" and "b" only count
  with a currency ("$50k"; "4K" is a resolution).
- Qualifiers: upper_bound -> (None, v); lower_bound -> (v, None); approx ->
  v +/- APPROX_TOLERANCE (relative); range -> (low, high), value the midpoint;
  exact -> low == high == value. "knapp", "fast", "gut", "nearly", "almost",
  "just over" are approx; "überstieg", "exceeds" make a lower bound.
- Signs: "+5 %" / "-3 %" (percent or points) are changes with the magnitude
  as value; other signed numbers keep the sign ("-12 Grad").
- Changes, rates and conversions: see `nlp.quantity_changes` and
  `nlp.quantity_relations`; the non-quantity checks are in `nlp.non_quantities`.
"""
from __future__ import annotations

import re
from pathlib import Path

from nlp.config import DEFAULT_DATA_DIR
from nlp.non_quantities import YEAR_RANGE, blocked_spans, identifier_before, is_quantity, overlaps
from nlp.numbers import parse_digits, parse_number_words
from nlp.quantity_changes import mark_changes
from nlp.quantity_lexicon import QuantityLexicon, UnsupportedLanguage, load_lexicon, norm
from nlp.quantity_mentions import OPENERS, Mention, bare, prev_word, tokens_before
from nlp.quantity_relations import (assign_rates, inherit_currency, mark_conversions, merge_ranges, pair_levels,
                                    merge_digit_shares, subunit_currencies,
                                    points_as_percentage_points, rate_after)
from nlp.types import Quantity

__all__ = ["APPROX_TOLERANCE", "UnsupportedLanguage", "find_quantities"]

APPROX_TOLERANCE = 0.05   # "rund 20" -> 19..21: relative half-width of an approx band
_SP_WORD = re.compile(r"[ \u00a0]+([^\W\d_][\w-]*)")
_GLUE_BEFORE_DIGITS = ".,_"
_CHANGE_SIGN_UNITS = frozenset({"percent", "percentage_points"})


def find_quantities(text: str, lang: str, data_dir: str | Path | None = None) -> list[Quantity]:
    """All quantity mentions in `text` ("de" or "en"), in text order.

    `text` may be a sentence or a whole document; offsets and spans refer to
    it. `data_dir` points at another copy of `nlp/data` (default: the
    package's own). Raises `UnsupportedLanguage` for a language without data.
    """
    lex = load_lexicon(lang, str(data_dir or DEFAULT_DATA_DIR))
    raw = _without_overlaps(_digit_mentions(text, lex) + _word_mentions(text, lex))
    if not raw:
        return []                                  # most sentences state no number at all
    merged = merge_ranges(raw, text, lex)
    pair_levels(merged, text, lex)
    ok = [is_quantity(m, text, lex) for m in merged]
    # a number word that is no quantity alone may still be half of a mixed share ("Nine out of 10",
    # "neun von 10"): it joins the pool for merge_digit_shares and is dropped again if not merged
    lead = {i for i, m in enumerate(merged) if not ok[i] and m.kind == "word" and i + 1 < len(merged)
            and ok[i + 1] and norm(text[m.end:merged[i + 1].start]) in lex.share_joiners}
    pool = [m for i, m in enumerate(merged) if ok[i] or i in lead]
    dropped = {id(merged[i]) for i in lead}
    kept = [m for m in merge_digit_shares(pool, text, lex) if id(m) not in dropped]
    inherit_currency(kept, text, lex)
    subunit_currencies(kept, text)
    mark_conversions(kept, text, lex)
    assign_rates(kept, text, lex)
    mark_changes(kept, text, lex)
    points_as_percentage_points(kept, text)
    return [_to_quantity(m, text) for m in kept]


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Text order; a mention inside an earlier one is dropped ("Tausend" in "7 Tausend Euro")."""
    out: list[Mention] = []
    for mn in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if not out or mn.start >= out[-1].end:
            out.append(mn)
    return out


# --- numbers written in digits -------------------------------------------------------------

def _digit_mentions(text: str, lex: QuantityLexicon) -> list[Mention]:
    blocked = None                                 # found on the first number: most texts have none
    out = []
    for m in lex.digit_re.finditer(text):
        s = m.start()
        before = text[s - 1:s]
        if before and (before.isalnum() or before in _GLUE_BEFORE_DIGITS):
            continue                               # "H100", "o3", ".5" inside something else
        if blocked is None:
            blocked = blocked_spans(text, lex)
        if overlaps(blocked, s, m.end()) or identifier_before(text, s, lex):
            continue
        mention = _build_digits(text, m, lex)
        if mention is not None:
            out.append(mention)
    return out


def _build_digits(text: str, m: re.Match[str], lex: QuantityLexicon) -> Mention | None:
    digit = parse_digits(m.group(), lex.lang)
    if digit is None:
        return None
    s = m.start()
    if digit.integer and not digit.grouped and YEAR_RANGE[0] <= digit.value <= YEAR_RANGE[1] \
            and not _unit_follows(text, m.end(), lex):
        return None                                # a year: skip the context work
    mn = Mention(s, s, s, m.end(), m.end(), "digits", digit.value, digit=digit)
    sign = text[s - 1:s]
    if sign in ("-", "\u2212", "+") and (s < 2 or text[s - 2] in " \t\n\u00a0(") \
            and not _digit_before(text, s - 2):
        mn.sign, mn.start, mn.num_start = sign, s - 1, s - 1
        if sign != "+":
            mn.base = -mn.base
    else:
        prefix = _currency_prefix(text, s, lex)
        if prefix:
            mn.unit, mn.money = prefix[1], True
            mn.start = mn.num_start = prefix[0]
        elif lex.sign_words:
            toks = tokens_before(text, s, 12, 1)
            if toks and toks[-1][1].lower() in lex.sign_words and text[s - 1:s].isspace():
                word_start, word = toks[-1]        # "minus 15 Grad"
                mn.sign = "-" if lex.sign_words[word.lower()] < 0 else "+"
                mn.start = mn.num_start = word_start
                mn.base *= lex.sign_words[word.lower()]
    _attach_left(text, mn, lex)
    return _attach_right(text, mn, lex)


def _unit_follows(text: str, pos: int, lex: QuantityLexicon) -> bool:
    """Cheap test: does a scale, currency or unit start at `pos`?"""
    return bool(lex.scale_re.match(text, pos) or lex.measure_re.match(text, pos)
                or lex.adjective_currency_re.match(text, pos))


def _digit_before(text: str, pos: int) -> bool:
    """Is there a digit just before `pos` (skipping spaces)? Then a "-" is a range dash."""
    while pos >= 0 and text[pos] in " \u00a0":
        pos -= 1
    return pos >= 0 and text[pos].isdigit()


def _currency_prefix(text: str, pos: int, lex: QuantityLexicon) -> tuple[int, str] | None:
    """(start, ISO code) of a currency written before the number ("$", "US$ ", "EUR ")."""
    end = pos - 1 if text[pos - 1:pos] in (" ", "\u00a0") else pos
    for form, code in lex.prefixes_by_last_char.get(text[end - 1:end], ()):
        start = end - len(form)
        if start >= 0 and text.startswith(form, start) and \
                not (form[0].isalpha() and start > 0 and text[start - 1].isalpha()):
            return start, code
    return None


# --- numbers written in words ----------------------------------------------------------------

def _word_mentions(text: str, lex: QuantityLexicon) -> list[Mention]:
    lowered = " " + text.lower()
    if len(lowered) != len(text) + 1:              # a case mapping that changes length
        lowered = " " + "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    out = []
    last_end = 0
    for cand in lex.word_candidate_re.finditer(lowered):
        pos = cand.start()                         # +1 for the added space, -1 for the start char
        if pos < last_end:
            continue
        m = lex.core_re.match(text, pos)
        if m is None:
            continue
        mention = _build_word(text, m, lex)
        if mention is not None:
            out.append(mention)
            last_end = mention.core_end
    return out


def _build_word(text: str, m: re.Match[str], lex: QuantityLexicon) -> Mention | None:
    core = _word_core(m, text, lex)
    if core is None:
        return None
    kind, base, unit = core
    if kind == "fraction" and not _fraction_context_ok(text, m, lex):
        return None
    if kind == "word" and base <= 1 and not m.group("wsuf") and not _unit_follows(text, m.end(), lex):
        return None                                # "ein", "one": only with a scale or unit
    mn = Mention(m.start(), m.start(), m.start(), m.end(), m.end(), kind, base, unit=unit)
    if kind == "word":
        mn.word = m.group("word")
        if m.group("wsuf") and not _multiple_ok(m, base, text, lex):
            return None
    elif kind == "mword" and not _comparison_follows(text, m.end(), lex):
        return None
    _attach_left(text, mn, lex)
    return _attach_right(text, mn, lex)


def _word_core(m: re.Match[str], text: str, lex: QuantityLexicon) -> tuple[str, float, str | None] | None:
    """(kind, value, unit) of a number written in words, or None."""
    g = m.group
    if g("fnum"):
        share = lex.fraction_numerators[norm(g("fnum"))] / lex.fraction_denominators[norm(g("fden"))]
        return "fraction", 100 * share, "percent"
    if g("half"):
        return "fraction", 100 * lex.fraction_halves[norm(g("half"))], "percent"
    if g("oshare"):                                # "jeder dritte"
        return "share", 100 / lex.ordinal_shares[norm(g("oshare"))], "percent"
    if g("snum"):                                  # "one in five", "zwei von drei"
        part, whole = parse_number_words(g("snum"), lex.lang), parse_number_words(g("sden"), lex.lang)
        if part is None or whole is None or not 0 < part < whole or _unit_follows(text, m.end(), lex):
            return None                            # "two in five minutes" is no share
        return "share", 100 * part / whole, "percent"
    if g("art"):
        return "article", lex.articles[norm(g("art"))], None
    if g("mword"):
        return "mword", lex.multiple_words[norm(g("mword"))], "multiple"
    if g("mverb"):
        return "mverb", lex.multiple_verbs[norm(g("mverb"))], "multiple"
    if g("minf"):
        if prev_word(text, m.start()) not in lex.infinitive_markers:
            return None                            # "double digits" is no multiple
        return "mverb", lex.multiple_infinitives[norm(g("minf"))], "multiple"
    value = parse_number_words(g("word"), lex.lang)
    if value is None:
        return None
    return "word", value, ("multiple" if g("wsuf") else None)


def _fraction_context_ok(text: str, m: re.Match[str], lex: QuantityLexicon) -> bool:
    """ "ein Drittel der Kosten", "a third of", "um ein Viertel": a share, not "a third party"."""
    follow = lex.half_follow_re if m.group("half") else lex.fraction_follow_re
    if follow.match(text, m.end()):
        return True
    toks = [t.lower() for _, t in tokens_before(text, m.start(), 40, 3)]
    while toks and (toks[-1] in lex.qualifiers or " ".join(toks[-2:]) in lex.qualifiers):
        toks.pop()                                 # "um rund ein Fünftel"
    return bool(toks) and toks[-1] in lex.fraction_context_before


def _multiple_ok(m: re.Match[str], base: float, text: str, lex: QuantityLexicon) -> bool:
    """ "neunfach" always, "neunmal" only before a comparison; "einmal"/"einfach" never."""
    if base <= 1:
        return False
    suffix = norm(m.group("wsuf")).lstrip("-")
    for stem, needs_comparison in lex.multiple_suffixes.items():
        if suffix.startswith(stem):
            return not needs_comparison or _comparison_follows(text, m.end(), lex)
    return False


# --- context around the number -----------------------------------------------------------------

def _attach_left(text: str, mn: Mention, lex: QuantityLexicon) -> None:
    """Qualifier cue ("bis zu", "rund", "~", ">", "überstieg") and range lead ("zwischen", "von")."""
    pos = mn.start
    glued = text[pos - 1:pos]
    if glued in lex.symbol_qualifiers:             # "~5"
        mn.qualifier, mn.start = lex.symbol_qualifiers[glued], pos - 1
    toks = tokens_before(text, mn.start, 60, 5)
    if toks and toks[-1][0] + len(toks[-1][1]) == mn.start:
        last = toks[-1][1]                          # something glued: "(", "/", "Kapital>"
        if mn.qualifier is None and last[-1:] in lex.symbol_qualifiers and len(last) > 1:
            mn.qualifier, mn.start = lex.symbol_qualifiers[last[-1]], mn.start - 1
        return
    if mn.qualifier is None and toks and toks[-1][1][-1] in lex.symbol_qualifiers and len(toks[-1][1]) > 1:
        last_start, last = toks[-1]                 # "Kapitalbeschaffung> 1 Milliarde"
        mn.qualifier, mn.start = lex.symbol_qualifiers[last[-1]], last_start + len(last) - 1
        toks = []
    filler = None
    if mn.qualifier is None and len(toks) > 1 and toks[-1][1].lower() in lex.qualifier_fillers:
        filler, toks = toks[-1], toks[:-1]         # "höchstens jedoch 21.000 Euro"
    if mn.qualifier is None and toks:
        for n in range(min(lex.max_qualifier_tokens, len(toks)), 0, -1):
            first_start, first = toks[-n]
            stripped = first.lstrip(OPENERS)
            key = " ".join([stripped] + [t for _, t in toks[len(toks) - n + 1:]]).lower()
            if key in lex.qualifiers or key in lex.symbol_qualifiers:
                if _qualifier_blocked(key, toks[:len(toks) - n], lex):
                    toks = toks[:len(toks) - n]     # "ticked up to 4.2%": "to" marks the new level
                    break
                mn.qualifier = lex.qualifiers.get(key) or lex.symbol_qualifiers[key]
                mn.qualifier_text = key
                mn.start = first_start + len(first) - len(stripped)
                toks = toks[:len(toks) - n] if first == stripped else []
                break
        else:
            if filler is not None:
                toks = toks + [filler]              # no cue before the particle: it is just a word
            if any(bare(t) in lex.verb_lower_bounds for _, t in toks[-3:]) or _modal_bound(toks[-4:], lex):
                mn.qualifier = "lower_bound"        # "überstieg erstmals 2,5 Billionen Euro", "could top $400bn"
    if toks and toks[-1][1].lower() in lex.leads:
        mn.lead, mn.lead_start = toks[-1][1].lower(), toks[-1][0]


def _modal_bound(toks: list[tuple[int, str]], lex: QuantityLexicon) -> bool:
    """ "could top $400 billion": a verb that bounds only after a modal (not "the top 10")."""
    words = [bare(t) for _, t in toks]
    return any(w in lex.modal_lower_bounds and i > 0 and words[i - 1] in lex.lower_bound_modals
               for i, w in enumerate(words))


def _qualifier_blocked(key: str, before: list[tuple[int, str]], lex: QuantityLexicon) -> bool:
    rule = lex.qualifier_not_after.get(key)
    if not rule or not before:
        return False
    words, suffixes = rule
    prev = before[-1][1].lower()
    return prev in words or (bool(suffixes) and prev.endswith(suffixes))


def _attach_right(text: str, mn: Mention, lex: QuantityLexicon) -> Mention | None:
    """Consume scale, unit/currency, post-qualifier and rate; None drops the mention."""
    pos = mn.core_end
    needs_currency = False
    if mn.kind in ("digits", "word", "article"):
        s = lex.scale_re.match(text, pos)
        if s:
            scale = lex.scales[norm(s.group("scale"))] if s.group("scale") else \
                lex.attached_scales[norm(s.group("att"))]
            if not scale.after_article_only or mn.kind == "article":
                mn.factor, mn.scaled, pos = scale.factor, True, s.end()
                needs_currency = scale.needs_currency
    if mn.kind == "fraction":
        point = lex.point_unit_re.match(text, pos)
        if point:                                  # "a quarter point": 0.25 percentage points
            mn.base, mn.unit, pos = mn.base / 100, "percentage_points", point.end()
    elif mn.unit is None or mn.money:
        pos = _attach_measure(text, mn, lex, pos)
    if mn.kind == "digits" and pos == mn.core_end and text[pos:pos + 1].isalpha():
        return None                                # glued letters: "5G", "2000er", "36Kr", "1st"
    if needs_currency and not mn.money:
        return None                                # "4K" without a currency is not 4000
    post = lex.post_qualifier_re.match(text, pos)
    if post and mn.qualifier is None:
        mn.qualifier = lex.post_qualifiers[norm(post.group("pq"))]
        pos = post.end()
    mn.end = pos
    rate_after(text, mn, lex)
    return mn


def _attach_measure(text: str, mn: Mention, lex: QuantityLexicon, pos: int) -> int:
    adj = lex.adjective_currency_re.match(text, pos)
    if adj:
        mn.unit, mn.money = lex.currency_adjectives[norm(adj.group("adj"))], True
        return adj.end()
    m = lex.measure_re.match(text, pos)
    if not m or (m.group("att") and pos != mn.core_end):
        return pos
    key = norm(m.group("m") or m.group("att"))
    if key in lex.currency_names:
        if not mn.money:
            mn.unit, mn.money = lex.currency_names[key], True
        return m.end()
    unit = lex.units.get(key)
    if unit is None or mn.money:                   # "$5 Mio." took its unit already
        return pos
    if unit.needs_comparison and not _comparison_follows(text, m.end(), lex, unit.before_noun):
        return pos
    if (unit.max_value is not None and abs(mn.value) >= unit.max_value) or abs(mn.value) in unit.not_values:
        return pos                                 # "1080p" is no amount of pence
    mn.unit, mn.money = unit.unit, unit.currency
    mn.subunit_of = unit.shared_by
    mn.factor *= unit.factor
    return m.end()


def _comparison_follows(text: str, pos: int, lex: QuantityLexicon, noun_ok: bool = False) -> bool:
    """Does a comparison ("mehr", "so", "as", "larger") - or, if allowed, a noun - follow?"""
    m = _SP_WORD.match(text, pos)
    if not m:
        return False
    word = m.group(1).lower()
    if word in lex.comparison_words:
        return True
    if noun_ok and word not in lex.count_noun_blockers and word not in lex.stopwords:
        return True                                # "36 times earnings"
    if lex.comparatives_lowercase and m.group(1)[:1].isupper():
        return False                               # "dreimal Weltmeister": a noun
    return _comparative(word, lex) or any(
        word.endswith(e) and _comparative(word[:-len(e)], lex) for e in lex.comparative_endings)


def _comparative(word: str, lex: QuantityLexicon) -> bool:
    """ "höher", "larger": a comparative form (by its suffix), not a listed look-alike."""
    suffix = lex.comparative_suffix
    return bool(suffix) and word.endswith(suffix) and len(word) > len(suffix) + 2 \
        and word not in lex.not_comparative and word not in lex.stopwords


# --- output ------------------------------------------------------------------------------------------

def _to_quantity(mn: Mention, text: str) -> Quantity:
    value = mn.value
    if mn.sign and mn.unit in _CHANGE_SIGN_UNITS:
        value = abs(value)                         # "-3 %": a decrease of 3 percent
    qualifier = mn.qualifier or "exact"
    if qualifier == "range":
        low, high = mn.low, mn.high
        value = (low + high) / 2
    elif qualifier == "approx":
        a, b = value * (1 - APPROX_TOLERANCE), value * (1 + APPROX_TOLERANCE)
        low, high = min(a, b), max(a, b)
    elif qualifier == "upper_bound":
        low, high = None, value
    elif qualifier == "lower_bound":
        low, high = value, None
    else:
        low = high = value
    return Quantity(start=mn.start, end=mn.end, span=text[mn.start:mn.end], value=value,
                    low=low, high=high, qualifier=qualifier, unit=mn.unit or "count",
                    per=mn.per, change=mn.change, conversion_of=mn.conversion_of)
