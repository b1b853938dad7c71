"""Compiled word lists and patterns for the quantity finder, one per language.

Why: `nlp.quantities` must scan a 600-word article in well under 2 ms, so every
pattern is built once from the data files in `data/quantities/` and cached by
`load_lexicon` (a pure function of language and data folder). Keeping the
lists in data files means a new currency, unit or cue word is a data change,
not a code change.

Speed rules followed here: a pattern that scans a whole text must start with
a plain character class or literal (Python's `re` then skips ahead in C);
context before a number is looked up in dicts keyed by lowercase tokens
instead of being searched backwards with regexes.

Matching conventions shared by the lists:
- A form of length <= 2 or written in capitals ("GW", "USD", "pp", "m") matches
  case-sensitively; longer forms match case-insensitively ("Prozent"). Cue
  words (qualifiers, articles, rate words) always ignore case, except German
  change cues, which are matched as written (nouns capitalized, verbs not).
- Spaces inside a form match any run of normal or no-break spaces.
- A form that ends in a letter must not be followed by another letter, so
  "Dollar" does not match "Dollarkurs".
- Lookups use `norm()` (lowercase, single spaces) of the matched text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from nlp.config import DEFAULT_DATA_DIR
from nlp.numbers import DIGITS_PATTERN, NumberWords, number_words
from nlp.resources import lang_file, read_json, read_lines, read_sections

SP = "[ \u00a0\u202f\u2009]"           # one space of any kind (never a line break)
SEP = f"(?:{SP}{{1,2}}|{SP}?-{SP}?)"     # number to scale/unit: "5 Mio", "500-Milliarden"
NOT_LETTER_AFTER = r"(?![^\W\d_])"
WORD_START_CHARS = " \t\n\r\u00a0\u202f\u2009([„“\"'«»‚‘/\u2013\u2014-"


def norm(text: str) -> str:
    """Lookup key of a matched form: lowercase, whitespace runs (any kind) as one space."""
    return " ".join(text.split()).lower()


def _case_sensitive(form: str) -> bool:
    letters = [c for c in form if c.isalpha()]
    return len(form) <= 2 or (bool(letters) and all(c.isupper() for c in letters))


def _trie_regex(forms: Iterable[str], word_end: bool) -> str:
    """One regex for many literal forms, factored by common prefixes.

    Python's `re` tries alternatives one by one; a prefix tree turns 200 failed
    attempts into a few character tests, which keeps anchored matches cheap.
    Optional tails are greedy, so the longest form wins. With `word_end` a form
    that ends in a letter must not be followed by one.
    """
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict, last: str) -> str:
        alts = []
        for ch in sorted(k for k in node if k):
            piece = SP + "+" if ch == " " else re.escape(ch)
            alts.append(piece + emit(node[ch], ch))
        if "" in node:
            alts.append(NOT_LETTER_AFTER if word_end and last.isalpha() else "")
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(trie, "") if trie else "(?!)"


def alternation(forms: Iterable[str], word_end: bool = True, ignore_case: bool = False) -> str:
    """Regex matching any of `forms` (the longest one where several match).

    Forms of length <= 2 or all in capitals match case-sensitively, others
    ignore case; `ignore_case` makes all of them ignore case (cue words and
    number words start sentences capitalized: "Rund 20", "A million").
    """
    forms = set(forms)
    loose = {f.lower() for f in forms if ignore_case or not _case_sensitive(f)}
    strict = {f for f in forms if not (ignore_case or not _case_sensitive(f))}
    parts = []
    if loose:
        parts.append(f"(?i:{_trie_regex(loose, word_end)})")
    if strict:
        parts.append(_trie_regex(strict, word_end))
    if not parts:
        return "(?!)"
    return "(?:" + "|".join(parts) + ")"


def cue_alternation(forms: Iterable[str], word_end: bool = True) -> str:
    return alternation(forms, word_end, ignore_case=True)


@dataclass(frozen=True)
class Scale:
    factor: float
    needs_currency: bool = False
    after_article_only: bool = False


@dataclass(frozen=True)
class Unit:
    unit: str
    needs_comparison: bool = False
    before_noun: bool = False           # "36 times earnings"
    factor: float = 1.0                 # basis points -> percentage points
    currency: bool = False              # a subunit of money ("Cent", "p")
    max_value: float | None = None
    not_values: frozenset[float] = frozenset()   # "1080p" is a video format, not pence
    shared_by: frozenset[str] = frozenset()      # "cents" of EUR too: the sentence's currency decides


@dataclass(frozen=True)
class QuantityLexicon:
    """Everything `nlp.quantities` needs for one language (built by `load_lexicon`)."""

    lang: str
    # finding numbers
    digit_re: re.Pattern[str]
    word_candidate_re: re.Pattern[str]      # run on " " + text.lower()
    core_re: re.Pattern[str]                # matched at a word candidate
    articles: dict[str, float]
    fraction_numerators: dict[str, float]
    fraction_denominators: dict[str, float]
    fraction_halves: dict[str, float]
    multiple_suffixes: dict[str, bool]      # suffix stem -> needs a comparison
    multiple_words: dict[str, float]
    ordinal_shares: dict[str, float]        # "jeder dritte": ordinal -> denominator
    multiple_verbs: dict[str, float]
    multiple_infinitives: dict[str, float]
    infinitive_markers: frozenset[str]
    needs_unit_words: frozenset[str]
    count_noun_re: re.Pattern[str]
    count_noun_blockers: frozenset[str]
    fraction_not_after: frozenset[str]
    fraction_follow_re: re.Pattern[str]       # what must follow a fraction ("of", "der", punctuation)
    half_follow_re: re.Pattern[str]
    fraction_context_before: frozenset[str]   # ... unless one of these precedes it ("um ein Viertel")
    stopwords: frozenset[str]                 # function words (data/stopwords/<lang>.txt)
    abbreviations: frozenset[str]             # lowercase tokens whose final "." ends no clause
    # right of the number
    scale_re: re.Pattern[str]
    scales: dict[str, Scale]
    attached_scales: dict[str, Scale]
    measure_re: re.Pattern[str]
    adjective_currency_re: re.Pattern[str]
    currency_names: dict[str, str]
    currency_adjectives: dict[str, str]
    units: dict[str, Unit]
    comparison_words: frozenset[str]
    comparative_suffix: str
    comparative_endings: tuple[str, ...]    # German adjective endings on a comparative (höher-e)
    comparatives_lowercase: bool            # German: a capitalized word is a noun ("Weltmeister")
    not_comparative: frozenset[str]
    point_unit_re: re.Pattern[str]
    durations: frozenset[str]
    scope_prepositions: frozenset[str]
    scope_needs_filler: frozenset[str]
    scope_fillers: frozenset[str]
    # rates
    rate_after_re: re.Pattern[str]
    rate_nouns: dict[str, str]
    rate_adverbs: dict[str, str]
    rate_markers: frozenset[str]
    rate_compound_prefixes: dict[str, str]
    rate_adjectives: dict[str, str]
    rate_unit_subjects: frozenset[str]
    rate_time_labels: frozenset[str]
    rate_triggers: frozenset[str]             # any of these (or a compound prefix) may start a rate
    rate_inherit_markers: frozenset[str]
    generic_per_re: re.Pattern[str]
    generic_per_stop: frozenset[str]
    post_qualifier_re: re.Pattern[str]
    post_qualifiers: dict[str, str]
    # left of the number (token lookups)
    prefixes_by_last_char: dict[str, tuple[tuple[str, str], ...]]
    qualifiers: dict[str, str]              # "bis zu" -> upper_bound
    max_qualifier_tokens: int
    symbol_qualifiers: dict[str, str]       # "~", ">" (may touch the number)
    verb_lower_bounds: frozenset[str]
    modal_lower_bounds: frozenset[str]      # "top": a lower bound only after a modal ("could top")
    lower_bound_modals: frozenset[str]
    sign_words: dict[str, int]
    qualifier_fillers: frozenset[str]       # "höchstens jedoch 21.000 Euro"
    qualifier_not_after: dict[str, tuple[frozenset[str], tuple[str, ...]]]
    leads: frozenset[str]
    span_leads: frozenset[str]
    range_connectors: frozenset[str]
    pair_connectors: frozenset[str]
    lead_connectors: dict[str, frozenset[str]]
    # not quantities
    digit_block_re: re.Pattern[str]
    anchored_block_re: re.Pattern[str]
    id_words: frozenset[str]
    phone_words: frozenset[str]
    name_words: frozenset[str]
    name_exempt: frozenset[str]
    name_heads: frozenset[str]              # "Projekt Stuttgart 21": a name with a number
    ordinal_determiners: frozenset[str]
    ordinal_nouns: frozenset[str]
    months: frozenset[str]                  # normalized, for lookups after a number
    month_names: frozenset[str]             # as written, without a final dot
    street_suffixes: tuple[str, ...]
    street_after_re: re.Pattern[str]        # "350 Fifth Avenue": capitalized words + a street noun
    furniture_re: re.Pattern[str]
    # changes and conversions
    change_clause: dict[str, str]           # token -> increase/decrease
    change_adjacent: dict[str, str]         # "Rückgang", "decline of" -> direction (as written)
    compound_adjacent: bool
    compound_cues: tuple[tuple[str, str], ...]   # (lowercase cue, direction) that may end a compound
    max_adjacent_tokens: int
    not_for_money: frozenset[str]
    clause_case_sensitive: bool
    old_level_markers: frozenset[str]
    positional_bounds: frozenset[str]
    comparison_after: dict[str, str]
    comparison_references: frozenset[str]
    change_links: frozenset[str]
    change_after_re: re.Pattern[str]
    change_after: dict[str, str]
    change_after_with_link: dict[str, str]
    level_to: frozenset[str]
    level_inherits: frozenset[str]          # units a bare new level takes from the change before it
    level_from: frozenset[str]
    clause_stops: frozenset[str]
    max_gap_words: int
    max_after_words: int
    conversion_re: re.Pattern[str]
    # "73 vulnerabilities, including six that ...": a number word after these counts the noun before
    count_anaphora_leads: frozenset[str] = frozenset()
    share_joiners: frozenset[str] = frozenset()   # "7 in 10 voters", "3 von 4 Befragten"


class UnsupportedLanguage(ValueError):
    """No quantity data for a language; add its sections to data/quantities/*.json."""


def _load(data_dir: str, name: str) -> dict:
    return read_json(str(Path(data_dir) / "quantities" / name))


def _section(data: dict, lang: str, name: str):
    if lang not in data:
        raise UnsupportedLanguage(
            f"no '{lang}' section in data/quantities/{name}; add one to support this language")
    return data[lang]


def _cue_map(groups: dict[str, Iterable[str]]) -> dict[str, str]:
    return {norm(form): label for label, forms in groups.items() for form in forms}


def _flat(groups: dict[str, list[str]]) -> list[str]:
    return [form for forms in groups.values() for form in forms]


@lru_cache(maxsize=16)
def load_lexicon(lang: str, data_dir: str = str(DEFAULT_DATA_DIR)) -> QuantityLexicon:
    """Build (once per language and data folder) the compiled quantity lexicon."""
    words = number_words(lang, data_dir)
    if words is None:
        raise UnsupportedLanguage(
            f"no '{lang}' section in data/quantities/number_words.json; add one to support this language")
    nw = _load(data_dir, "number_words.json")[lang]
    parts = {}
    parts.update(_number_parts(lang, data_dir, nw, words))
    parts.update(_right_parts(lang, data_dir, nw))
    parts.update(_left_parts(lang, data_dir))
    parts.update(_blocking_parts(lang, data_dir))
    parts.update(_change_parts(lang, data_dir))
    parts["abbreviations"] = _abbreviations(lang, data_dir)
    return QuantityLexicon(lang=lang, **parts)


def _abbreviations(lang: str, data_dir: str) -> frozenset[str]:
    """Dotted forms of our own lists plus the sentence splitter's abbreviation list."""
    forms: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, str):
            forms.update(w for w in value.split() if w.endswith(".") and len(w) > 1)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for name in ("scales.json", "units.json", "currencies.json", "qualifiers.json", "rates.json",
                 "non_quantities.json"):
        data = _load(data_dir, name)
        collect({k: v for k, v in data.items() if k in (lang, "units", "prefixes", "names", "id_words")})
    path = lang_file(Path(data_dir), "abbreviations", lang, ".txt")
    if path:
        forms.update(read_sections(str(path)).get("abbreviations", ()))
    return frozenset(f.lower() for f in forms)


def _number_parts(lang: str, data_dir: str, nw: dict, words: NumberWords) -> dict:
    fr = nw.get("fractions", {})
    scale_data = _section(_load(data_dir, "scales.json"), lang, "scales.json")
    scale_forms = [f for e in scale_data if not e.get("attached_only") for f in e["forms"]]
    articles = nw.get("articles", {})
    suffixes = nw.get("multiple_suffixes", {})
    endings = nw.get("multiple_suffix_endings", [""])
    suffix_alt = alternation([s + e for s in suffixes for e in endings], word_end=False)
    follow = fr.get("follow", "(?!)")
    article_follow = alternation(scale_forms + list(nw.get("article_units", [])))
    # units counted after one article form only ("verliert einen Punkt", but "Ein Punkt ist offen")
    article_only = "|".join(f"{cue_alternation(arts)}(?={SP}+{alternation([unit])})"
                            for unit, arts in nw.get("article_only_units", {}).items()) or "(?!)"
    core_re = re.compile("|".join([
        f"(?P<art>{cue_alternation(articles)}(?={SP}+{article_follow})|{article_only})",
        f"(?P<fnum>{cue_alternation(fr.get('numerators', {}))})[ \u00a0-]+"
        f"(?P<fden>{cue_alternation(fr.get('denominators', {}))})",
        f"(?P<half>{cue_alternation(fr.get('halves', {}))})",
        f"{cue_alternation(nw.get('share_determiners', []))}{SP}+"
        f"(?P<oshare>{cue_alternation(nw.get('ordinal_shares', {}))})"
        f"{alternation(nw.get('ordinal_share_endings', ['']), word_end=False)}{NOT_LETTER_AFTER}",
        f"(?P<snum>(?i:{words.pattern})){SP}+{cue_alternation(nw.get('share_joiners', []))}{SP}+"
        f"(?P<sden>(?i:{words.pattern})){NOT_LETTER_AFTER}",
        f"(?P<mword>{cue_alternation(nw.get('multiple_words', {}))})",
        f"(?P<mverb>{cue_alternation(nw.get('multiple_verbs', {}))})",
        f"(?P<minf>{cue_alternation(nw.get('multiple_infinitives', {}))})",
        f"(?P<word>(?i:{words.pattern}))(?P<wsuf>-?(?i:{suffix_alt}))?{NOT_LETTER_AFTER}",
    ]))
    # Candidates: every way a word number can begin, lowercased, after a word-start char.
    first_words = set(words.values) | {a.split()[0] for a in articles} | \
        {h.split()[0] if len(h.split()) == 1 else h for h in fr.get("halves", {})} | \
        {n.split()[0] for n in fr.get("numerators", {})} | set(nw.get("multiple_words", {})) | \
        set(nw.get("multiple_verbs", {})) | set(nw.get("multiple_infinitives", {})) | \
        set(nw.get("share_determiners", []))
    first_alt = _trie_regex({w.lower() for w in first_words}, word_end=False)
    word_candidate_re = re.compile(f"[{re.escape(WORD_START_CHARS)}]{first_alt}")

    fillers = nw.get("count_fillers", [])
    filler_suffixes = nw.get("count_filler_suffixes", [])
    if filler_suffixes:
        filler = f"(?:{alternation(fillers)}|[a-zäöüß]+(?:{'|'.join(map(re.escape, filler_suffixes))}))"
        count_noun_re = re.compile(f"(?:{SP}+{filler}{NOT_LETTER_AFTER}){{0,2}}{SP}+(?P<noun>[A-ZÄÖÜ][\\w-]*)")
    else:
        count_noun_re = re.compile(f"(?:{SP}+|-)(?P<noun>[^\\W\\d_][\\w'-]*)")
    stop_path = lang_file(Path(data_dir), "stopwords", lang, ".txt")
    stopwords = frozenset(w.lower() for w in read_lines(str(stop_path))) if stop_path else frozenset()
    return dict(
        count_noun_blockers=frozenset(norm(w) for w in nw.get("count_noun_blockers", [])),
        fraction_follow_re=re.compile(follow),
        half_follow_re=re.compile(fr.get("halves_follow", follow)),
        fraction_context_before=frozenset(norm(w) for w in fr.get("context_before", [])),
        fraction_not_after=frozenset(norm(w) for w in fr.get("not_after", [])),
        digit_re=re.compile(DIGITS_PATTERN), word_candidate_re=word_candidate_re, core_re=core_re,
        articles={norm(k): float(v) for k, v in articles.items()},
        fraction_numerators={norm(k): float(v) for k, v in fr.get("numerators", {}).items()},
        fraction_denominators={norm(k): float(v) for k, v in fr.get("denominators", {}).items()},
        fraction_halves={norm(k): float(v) for k, v in fr.get("halves", {}).items()},
        multiple_suffixes={norm(s): bool(spec["needs_comparison"]) for s, spec in suffixes.items()},
        multiple_words={norm(k): float(v) for k, v in nw.get("multiple_words", {}).items()},
        ordinal_shares={norm(k): float(v) for k, v in nw.get("ordinal_shares", {}).items()},
        multiple_verbs={norm(k): float(v) for k, v in nw.get("multiple_verbs", {}).items()},
        multiple_infinitives={norm(k): float(v) for k, v in nw.get("multiple_infinitives", {}).items()},
        infinitive_markers=frozenset(norm(w) for w in nw.get("infinitive_markers", [])),
        needs_unit_words=frozenset(norm(w) for w in nw.get("standalone_needs_unit", [])),
        count_anaphora_leads=frozenset(norm(w) for w in nw.get("count_anaphora_leads", [])),
        share_joiners=frozenset(norm(w) for w in nw.get("share_joiners", [])),
        count_noun_re=count_noun_re, stopwords=stopwords,
    )


def _right_parts(lang: str, data_dir: str, nw: dict) -> dict:
    scale_data = _section(_load(data_dir, "scales.json"), lang, "scales.json")
    scales: dict[str, Scale] = {}
    attached_scales: dict[str, Scale] = {}
    for entry in scale_data:
        scale = Scale(float(entry["factor"]), bool(entry.get("needs_currency")),
                      bool(entry.get("after_article_only")))
        for form in entry["forms"]:
            (attached_scales if entry.get("attached_only") else scales)[norm(form)] = scale
    scale_forms = [f for e in scale_data if not e.get("attached_only") for f in e["forms"]]
    attached_scale_forms = [f for e in scale_data if e.get("attached_only") for f in e["forms"]]
    scale_re = re.compile(f"{SEP}?(?P<scale>{alternation(scale_forms)})"
                          f"|(?P<att>{alternation(attached_scale_forms)})")

    cur = _load(data_dir, "currencies.json")
    names = _section(cur["names"], lang, "currencies.json names")
    needs_adjective = set(cur.get("needs_adjective", {}).get(lang, ()))
    symbols = cur["symbols"]
    adjectives = cur["adjectives"].get(lang, {})
    endings = cur["adjective_endings"].get(lang, [""])
    end_re = "(?:" + "|".join(sorted(map(re.escape, endings), key=len, reverse=True)) + ")"
    adjective_currency_re = re.compile(
        f"{SEP}?(?P<adj>{alternation(adjectives, word_end=False)}){end_re}[ \u00a0-]+"
        f"(?P<cur>{alternation(names)})")

    units: dict[str, Unit] = {}
    unit_forms: list[str] = []
    attached_forms: list[str] = []
    unit_data = _load(data_dir, "units.json")
    for entry in unit_data["units"]:
        forms = list(entry["forms"].get("*", [])) + list(entry["forms"].get(lang, []))
        for form in forms:
            units[norm(form)] = Unit(entry["unit"], bool(entry.get("needs_comparison")),
                                     bool(entry.get("before_noun")), float(entry.get("factor", 1.0)))
        (attached_forms if entry.get("attached_only") else unit_forms).extend(forms)
    for form, sub in cur.get("subunits", {}).get(lang, {}).items():
        units[norm(form)] = Unit(sub["code"], factor=float(sub["factor"]), currency=True,
                                 max_value=sub.get("max_value"),
                                 not_values=frozenset(float(v) for v in sub.get("not_values", ())),
                                 shared_by=frozenset(sub.get("shared_by", ())))
        (attached_forms if sub.get("attached_only") else unit_forms).append(form)
    plain_names = [n for n in names if n not in needs_adjective]
    # an attached unit letter starting a hyphen compound is part of a name ("3C-Tech"), not a unit
    measure_re = re.compile(f"{SEP}?(?P<m>{alternation(plain_names + list(symbols) + unit_forms)})"
                            f"|(?P<att>{alternation(attached_forms)})(?!-[^\\W\\d_])")
    cmp = unit_data["comparisons"][lang]

    rates = _section(_load(data_dir, "rates.json"), lang, "rates.json")
    markers = [m for m in rates["markers"] if m != "/"]
    time_markers = rates.get("time_markers", [])
    not_before = rates.get("not_before") or "(?!)"
    gap = f"(?P<gap>(?:{SP}+[^\\W\\d_][\\w-]*){{0,{int(rates['max_words_between'])}}}?)"
    rate_after_re = re.compile(
        f"{gap}(?:{SP}+(?P<adv>{cue_alternation(rates['adverbs'])})"
        f"|{SP}+(?P<marker>{cue_alternation(markers)}){SP}+(?P<noun>{alternation(rates['nouns'])})"
        f"|{SP}+(?P<tmarker>{cue_alternation(time_markers)}){SP}+(?P<tnoun>{alternation(rates['time_nouns'])})"
        f"|{SP}*/{SP}*(?P<snoun>{alternation(rates['nouns'])}))(?!{not_before})")
    generic_per_re = re.compile(
        f"{SP}+(?P<marker>{cue_alternation(rates['generic_markers'])}){SP}+(?P<word>[^\\W\\d_][\\w-]*)")
    scope = unit_data.get("time_scope", {}).get(lang, {})

    quals = _section(_load(data_dir, "qualifiers.json"), lang, "qualifiers.json")
    post = {"lower_bound": quals.get("post_lower_bound", []), "upper_bound": quals.get("post_upper_bound", [])}
    return dict(
        scale_re=scale_re, scales=scales, attached_scales=attached_scales,
        measure_re=measure_re, adjective_currency_re=adjective_currency_re,
        currency_names={**{norm(k): v for k, v in symbols.items()}, **{norm(k): v for k, v in names.items()}},
        currency_adjectives={norm(k): v for k, v in adjectives.items()}, units=units,
        comparison_words=frozenset(norm(w) for w in cmp["words"]),
        comparative_suffix=cmp.get("comparative_suffix", ""),
        comparative_endings=tuple(sorted(cmp.get("comparative_endings", []), key=len, reverse=True)),
        comparatives_lowercase=bool(cmp.get("comparatives_lowercase")),
        not_comparative=frozenset(norm(w) for w in cmp.get("not_comparative", [])),
        point_unit_re=re.compile(
            f"{SP}+(?:{cue_alternation(unit_data.get('point_unit_fillers', {}).get(lang, []))}{SP}+)?"
            f"(?P<pu>{alternation(unit_data.get('point_units', {}).get(lang, []))})"),
        durations=frozenset(unit_data.get("durations", [])),
        scope_prepositions=frozenset(norm(w) for w in scope.get("prepositions", [])),
        scope_needs_filler=frozenset(norm(w) for w in scope.get("scope_needs_filler", [])),
        scope_fillers=frozenset(norm(w) for w in scope.get("fillers", [])),
        rate_after_re=rate_after_re,
        rate_nouns={norm(k): v for k, v in rates["nouns"].items()},
        rate_adverbs={norm(k): v for k, v in rates["adverbs"].items()},
        rate_markers=frozenset(norm(m) for m in rates["markers"]),
        rate_compound_prefixes=dict(rates.get("compound_prefixes", {})),
        rate_adjectives={norm(k): v for k, v in rates.get("preceding_adjectives", {}).items()},
        rate_unit_subjects=frozenset(norm(w) for w in rates.get("unit_subjects", [])),
        rate_time_labels=frozenset(rates["nouns"][t] for t in rates.get("time_nouns", [])),
        rate_triggers=frozenset(norm(w.split()[0]) for w in list(rates["adverbs"]) + rates["markers"]
                                + list(rates.get("preceding_adjectives", {})) + rates.get("unit_subjects", [])),
        rate_inherit_markers=frozenset(norm(w) for w in rates.get("inherit_markers", [])),
        generic_per_re=generic_per_re,
        generic_per_stop=frozenset(norm(w) for w in rates.get("generic_stop", [])),
        post_qualifier_re=re.compile(f"{SP}+(?P<pq>{cue_alternation(_flat(post))})"),
        post_qualifiers=_cue_map(post),
    )


def _left_parts(lang: str, data_dir: str) -> dict:
    cur = _load(data_dir, "currencies.json")
    by_last: dict[str, list[tuple[str, str]]] = {}
    for form, code in cur["prefixes"].items():
        by_last.setdefault(form[-1], []).append((form, code))
    quals = _section(_load(data_dir, "qualifiers.json"), lang, "qualifiers.json")
    groups = {k: quals[k] for k in ("upper_bound", "lower_bound", "approx")}
    word_quals = {k: [f for f in v if any(c.isalpha() for c in f)] for k, v in groups.items()}
    symbol_quals = {k: [f for f in v if not any(c.isalpha() for c in f)] for k, v in groups.items()}
    qualifiers = _cue_map(word_quals)
    return dict(
        prefixes_by_last_char={c: tuple(sorted(v, key=lambda fc: -len(fc[0]))) for c, v in by_last.items()},
        qualifiers=qualifiers,
        max_qualifier_tokens=max(len(k.split()) for k in qualifiers),
        symbol_qualifiers=_cue_map(symbol_quals),
        verb_lower_bounds=frozenset(norm(w) for w in quals.get("verb_lower_bound", [])),
        modal_lower_bounds=frozenset(norm(w) for w in quals.get("verb_lower_bound_after_modal", {}).get("verbs", [])),
        lower_bound_modals=frozenset(norm(w) for w in quals.get("verb_lower_bound_after_modal", {}).get("modals", [])),
        sign_words={norm(k): int(v) for k, v in quals.get("sign_words", {}).items()},
        qualifier_fillers=frozenset(norm(w) for w in quals.get("fillers", [])),
        qualifier_not_after={norm(k): (frozenset(norm(w) for w in v.get("words", [])), tuple(v.get("suffixes", [])))
                             for k, v in quals.get("not_after", {}).items()},
        leads=frozenset(norm(w) for w in quals["range_leads"]),
        span_leads=frozenset(norm(w) for w in quals.get("span_leads", [])),
        range_connectors=frozenset(norm(c) for c in quals["range_connectors"]),
        pair_connectors=frozenset(norm(c) for c in quals.get("pair_connectors", [])),
        lead_connectors={norm(k): frozenset(norm(c) for c in v)
                         for k, v in quals.get("lead_connectors", {}).items()},
    )


def _blocking_parts(lang: str, data_dir: str) -> dict:
    nq = _load(data_dir, "non_quantities.json")
    months = nq["months"].get(lang, [])
    month_alt = alternation(months, word_end=False)
    digit_patterns = [p.replace("{MONTH}", month_alt)
                      for p in nq["digit_patterns"].get("*", []) + nq["digit_patterns"].get(lang, [])]
    bad = [p for p in digit_patterns if not p.startswith("\\d")]
    if bad:
        raise ValueError(f"data/quantities/non_quantities.json: digit_patterns must start with \\d: {bad[0]}")
    # one shared leading \d lets the engine jump from digit to digit
    digit_block_re = re.compile("\\d(?:" + "|".join(f"(?:{p[2:]})" for p in digit_patterns) + ")")
    anchored = nq["anchored_patterns"].get("*", []) + nq["anchored_patterns"].get(lang, [])
    return dict(
        digit_block_re=digit_block_re,
        anchored_block_re=re.compile("|".join(anchored)),
        id_words=frozenset(nq["id_words"].get(lang, [])),
        phone_words=frozenset(nq["phone_words"].get(lang, [])),
        name_words=frozenset(nq.get("name_words", [])),
        name_exempt=frozenset(nq.get("name_exempt", [])),
        name_heads=frozenset(nq.get("name_heads", {}).get(lang, [])),
        ordinal_determiners=frozenset(norm(w) for w in nq["ordinal_determiners"].get(lang, [])),
        ordinal_nouns=frozenset(norm(w) for w in nq["ordinal_nouns"].get(lang, [])),
        months=frozenset(norm(m) for m in months),
        month_names=frozenset(m.rstrip(".") for m in months),
        street_suffixes=tuple(nq.get("street_suffixes", {}).get(lang, [])),
        street_after_re=re.compile(f"(?:{SP}+[A-Z0-9][\\w'-]*){{0,3}}?{SP}+"
                                   f"{_trie_regex(nq.get('street_nouns_after', {}).get(lang, []), True)}"),
        furniture_re=re.compile(f"{SP}+{alternation(nq.get('furniture_nouns', {}).get(lang, []))}"),
    )


def _change_parts(lang: str, data_dir: str) -> dict:
    ch = _section(_load(data_dir, "changes.json"), lang, "changes.json")
    adjacent = _cue_map(ch["adjacent"])
    gap = f"(?P<gap>(?:{SP}+[^\\W\\d_]+){{0,{int(ch['max_after_words'])}}}?){SP}+"
    particles = _flat(ch.get("after_with_link", {}))
    # a separable particle ends its clause: "brach um 20 % ein." (not "um 5 % und ein ...")
    change_after_re = re.compile(
        f"{gap}(?:(?P<cue>{cue_alternation(_flat(ch['after']))})"
        f"|(?P<particle>{cue_alternation(particles)})(?={SP}*(?:[.,;:!?)\\n]|\\Z)))")
    conv = _section(_load(data_dir, "conversions.json"), lang, "conversions.json")
    conversion_re = re.compile(
        f"\\s*(?:(?P<paren>\\()\\s*(?:{cue_alternation(conv)}\\s*)?"
        f"|[,;\u2013\u2014-]?\\s*{cue_alternation(conv)}\\s*)\\Z")
    return dict(
        change_clause=_cue_map(ch["clause"]),
        change_adjacent={form: label for label, forms in ch["adjacent"].items() for form in forms},
        compound_adjacent=bool(ch.get("compound_adjacent")),
        compound_cues=tuple((form.lower(), label) for label, forms in ch["adjacent"].items()
                            for form in forms if len(form) >= 4 and " " not in form),
        max_adjacent_tokens=max(len(k.split()) for k in adjacent),
        not_for_money=frozenset(norm(w) for w in ch.get("not_for_money", [])),
        clause_case_sensitive=bool(ch.get("clause_case_sensitive")),
        old_level_markers=frozenset(norm(w) for w in ch.get("old_level_markers", [])),
        positional_bounds=frozenset(norm(w) for w in ch.get("positional_bounds", [])),
        comparison_after=_cue_map(ch.get("comparison_after", {})),
        comparison_references=frozenset(norm(w) for w in ch.get("comparison_references", [])),
        change_links=frozenset(norm(w) for w in ch.get("link_words", [])),
        change_after_re=change_after_re,
        change_after=_cue_map(ch["after"]),
        change_after_with_link=_cue_map(ch.get("after_with_link", {})),
        level_to=frozenset(norm(w) for w in ch["level_to"]),
        level_inherits=frozenset(ch.get("level_inherits", [])),
        level_from=frozenset(norm(w) for w in ch["level_from"]),
        clause_stops=frozenset(norm(w) for w in ch["clause_stops"]),
        max_gap_words=int(ch["max_gap_words"]), max_after_words=int(ch["max_after_words"]),
        conversion_re=conversion_re,
    )
