"""What a number measures: a short phrase from the sentence plus a language-independent key.

"5,6 Mio. US-Dollar" next to "Entwicklungskosten" of an AI model and "$5.6
million" next to "to train" must meet as `training_cost`, so the key comes from
a lexicon (`data/measures.json`) of cue stems per language. For each quantity
the best cue of the sentence wins by: unit fit (a percentage cannot be a
`count_gpus`), required context ("vermietet" is `rental_price` only near
servers/GPUs), nearness to the number, same clause, and specificity (longer
cues; in German the head of a compound, "Rechenzentrums*projekte*"). The key
then follows the quantity's form: a change of a measure gets its change key
("Umsatz +3 %" -> revenue_growth, "Exporte -1,2 Mrd." -> exports_change), a
multiple its ratio key ("neunmal so viel" investiert -> investment_ratio).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.regex_trie import trie_pattern
from nlp.resources import DataFileError, read_json

_ISO = re.compile(r"[A-Z]{3}")
_WORD_CHARS = r"[\wäöüÄÖÜß\-/&]"
# Clause breaks for "same clause"; a parenthesis ("200.000 Yuan (ca. 28.000 Dollar) erzielen")
# does not separate a number from its verb.
_SEGMENT_BREAK = re.compile(r"(?:[,:](?=\s)|[;–—])")
_INFLECTION = ("", "e", "en", "n", "s", "es", "er", "ern", "ns", "nen")
_OF = re.compile(r"\s+(?:von|vom|der|des|für|of(?:\s+the)?|for(?:\s+the)?)\s+(?:[\w\-]+\s+){0,2}$", re.IGNORECASE)
_DEFAULT = object()


def unit_class(unit: str) -> str:
    if unit in ("percent", "percentage_points"):
        return "percent"
    if unit in ("count", "multiple", "points"):
        return unit
    if _ISO.fullmatch(unit):
        return "money"
    return unit


@dataclass(frozen=True)
class MeasureEntry:
    key: str
    units: frozenset[str]
    context: re.Pattern | None
    change_key: object
    ratio_key: object
    order: int
    generic: bool = False
    requires_per: bool = False
    weak: bool = False
    funded: bool = False        # given by a public body or a place, about its recipient ("subsidy")


@dataclass(frozen=True)
class MeasureLexicon:
    regex: tuple[re.Pattern, re.Pattern | None] | None
    cue_entries: dict[str, tuple[MeasureEntry, ...]]
    substring: bool
    unit_defaults: dict[str, str]
    anaphora: re.Pattern | None = None
    name_heads: tuple[str, ...] = ()              # German: a cue in a compound with this head is no cue
    name_next: re.Pattern | None = None          # English: a capitalized cue before this word is a name
    separable: tuple[re.Pattern, dict[str, tuple[tuple[str, str], ...]]] | None = None
    per_rules: tuple[tuple[frozenset[str], MeasureEntry], ...] = ()


@dataclass(frozen=True)
class Measure:
    text: str | None
    key: str | None
    entry: MeasureEntry | None = None    # the lexicon entry behind `key`, if a cue decided


@lru_cache(maxsize=32)
def load_measures(data_dir: str, lang: str) -> MeasureLexicon:
    path = Path(data_dir) / "measures.json"
    data = read_json(str(path))
    cue_entries: dict[str, list[MeasureEntry]] = {}
    per_rules: list[tuple[frozenset[str], MeasureEntry]] = []
    substring = data.get("match", {}).get(lang, "word_start") == "substring"
    for n, row in enumerate(data.get("measures", [])):
        if "key" not in row:
            raise DataFileError(f"{path}: measure {n + 1} has no key")
        words = [c.lower() for c in row.get("context", {}).get(lang, [])]
        if row.get("context") and not words:
            continue   # context-bound entry without context words for this language
        entry = MeasureEntry(
            key=row["key"], units=frozenset(row.get("units", [])),
            context=_context(words, substring) if words else None,
            change_key=row.get("change_key", _DEFAULT), ratio_key=row.get("ratio_key", _DEFAULT), order=n,
            generic=bool(row.get("generic")), requires_per=bool(row.get("requires_per")),
            weak=bool(row.get("weak")), funded=bool(row.get("funded")),
        )
        if row.get("per"):
            # a rate per unit ("Euro je Quadratmeter") in a context ("Miete") that names the measure
            per_rules.append((frozenset(row["per"]), entry))
        for cue in row.get(lang, []):
            cue_entries.setdefault(cue.lower(), []).append(entry)   # "=gab": whole word only
    plain = [c for c in cue_entries if "~" not in c]
    regex = _alternation(plain, substring) if plain else None
    anaphora = data.get("anaphora", {}).get(lang)
    heads = data.get("name_heads", {}).get(lang, [])
    return MeasureLexicon(regex, {c: tuple(v) for c, v in cue_entries.items()}, substring,
                          dict(data.get("unit_defaults", {})),
                          re.compile(anaphora, re.IGNORECASE) if anaphora else None,
                          name_heads=tuple(h.lower() + i for h in heads for i in ("", "s", "es", "en", "n"))
                          if substring else (),
                          name_next=re.compile(rf"[ \-]+(?:{'|'.join(map(re.escape, heads))})\b")
                          if heads and not substring else None,
                          separable=_separable([c for c in cue_entries if "~" in c]),
                          per_rules=tuple(per_rules))


def _separable(cues: list[str]) -> tuple[re.Pattern, dict[str, tuple[tuple[str, str], ...]]] | None:
    """German separable verbs, written "setzte ~um": the finite verb (a whole word) and its particle
    closing the clause ("setzte der Klub 212 Mio. Euro um, ..."). Returns (verb regex, verb -> (particle, cue))."""
    by_verb: dict[str, list[tuple[str, str]]] = {}
    for cue in cues:
        verb, particle = (part.strip() for part in cue.split("~", 1))
        by_verb.setdefault(verb, []).append((particle, cue))
    if not by_verb:
        return None
    return re.compile(trie_pattern(by_verb)), {v: tuple(p) for v, p in by_verb.items()}


def _alternation(words: list[str], substring: bool) -> tuple[re.Pattern, re.Pattern | None]:
    """Regexes for the cues: (inside-word cues, whole-word cues).

    German cues match inside words (compounds), except those marked "=" (whole
    words: "=gab" must not match "Angaben"); English cues match whole words with
    a plural ending ("chips", not "chipmaker"; verb forms are listed as cues). Word boundaries
    are checked in code: a leading lookbehind would make every scan several times slower.
    """
    if not substring:
        return re.compile(f"(?:{trie_pattern(w.lstrip('=') for w in words)})(?:s|es)?"), None
    inside = [w for w in words if not w.startswith("=")]
    whole = [w[1:] for w in words if w.startswith("=")]
    return (re.compile(trie_pattern(inside)) if inside else re.compile("(?!)"),
            re.compile(trie_pattern(whole)) if whole else None)


def _context(words: list[str], substring: bool) -> re.Pattern:
    """Context words match inside words (German) or as word prefixes (English: "econom")."""
    alt = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(f"(?:{alt})" if substring else rf"(?<![\w])(?:{alt})")


@dataclass(frozen=True)
class CueHit:
    start: int
    end: int
    cue: str
    word: tuple[int, int]


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_CLAUSE_END = re.compile(r"[,;:!?()\"“”„–—]")   # not ".": "setzte 2 Mrd. Euro um"
_PARTICLE_END = r"(?=\s*(?:[,;:.!?()\"“”„–—]|$|\s(?:und|sowie|oder|als|wie|nachdem|weil|da)\b))"


def _separable_hits(text: str, low: str, lex: MeasureLexicon) -> list[tuple[int, int, str]]:
    """"setzte ... um": the verb's position, when its particle closes the same clause."""
    verb_rx, particles = lex.separable
    found = []
    n = len(low)
    for m in verb_rx.finditer(low):
        s, e = m.span()
        if (s > 0 and _is_word_char(low[s - 1])) or (e < n and _is_word_char(low[e])):
            continue
        end = _CLAUSE_END.search(text, e)
        clause = low[e:end.start() if end else n]
        for particle, cue in particles[m.group()]:
            if re.search(rf"\s{particle}{_PARTICLE_END}", clause):
                found.append((s, e, cue))
                break
    return found


def _in_name(text: str, low: str, s: int, e: int, lex: MeasureLexicon) -> bool:
    """A cue inside a name: "Wirtschafts*zeitung*", "Bundeswirtschafts*ministerium*", "Economy Ministry"."""
    if lex.name_heads:
        we = e
        n = len(low)
        while we < n and (low[we].isalpha()):
            we += 1
        return low.endswith(lex.name_heads, e, we)
    if lex.name_next is not None and text[s:s + 1].isupper():
        return lex.name_next.match(text, e) is not None
    return False


def find_cues(text: str, lex: MeasureLexicon, blocked: list[tuple[int, int]] = ()) -> list[CueHit]:
    """Cue occurrences in a text, skipping those inside `blocked` spans (names, times)."""
    if lex.regex is None:
        return []
    low = text.lower()
    n = len(low)
    inside_rx, whole_rx = lex.regex
    found: list[tuple[int, int, str]] = _separable_hits(text, low, lex) if lex.separable else []
    for m in inside_rx.finditer(low):
        s, e = m.span()
        if not lex.substring:   # English: whole words only
            if (s > 0 and _is_word_char(low[s - 1])) or (e < n and _is_word_char(low[e])):
                continue
        found.append((s, e, m.group()))
    if whole_rx is not None:
        for m in whole_rx.finditer(low):
            s, e = m.span()
            if (s == 0 or not _is_word_char(low[s - 1])) and (e == n or not _is_word_char(low[e])):
                found.append((s, e, "=" + m.group()))
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    hits = []
    last_end = -1
    for s, e, cue in found:
        if s < last_end or any(bs <= s < be for bs, be in blocked):
            continue
        if (lex.name_heads or lex.name_next is not None) and _in_name(text, low, s, e, lex):
            continue
        if cue not in lex.cue_entries:        # English plural ("chips")
            cue = next((c for c in (cue[:-2], cue[:-1]) if c in lex.cue_entries), None)
            if cue is None:
                continue
        ws = s
        while ws > 0 and re.match(_WORD_CHARS, text[ws - 1]):
            ws -= 1
        we = e
        while we < n and re.match(_WORD_CHARS, text[we]):
            we += 1
        hits.append(CueHit(s, e, cue, (ws, we)))
        last_end = e
    return hits


def _segment_index(text: str, pos: int) -> int:
    return len(_SEGMENT_BREAK.findall(text, 0, pos))


def _key_for(entry: MeasureEntry, unit: str, change: str | None, derived: bool) -> str:
    cls = unit_class(unit)
    if change or (derived and cls == "percent"):
        ck = entry.change_key
        if ck is _DEFAULT:
            return f"{entry.key}_change"
        if isinstance(ck, dict):
            return ck.get(change or "", entry.key) or entry.key
        return ck or entry.key
    if cls == "multiple":
        rk = entry.ratio_key
        if rk is _DEFAULT:
            return f"{entry.key}_ratio"
        return rk or entry.key
    return entry.key


def _score(text: str, qstart: int, qend: int, unit: str, change: str | None, hit: CueHit,
           entry: MeasureEntry, hits: list[CueHit], lex: MeasureLexicon, qseg: int) -> float:
    if hit.end <= qstart:
        dist = qstart - hit.end
    elif hit.start >= qend:
        dist = hit.start - qend
    else:
        dist = 0
    score = dist + (0 if _segment_index(text, hit.start) == qseg else 60)
    score -= 3 * len(hit.cue.lstrip("=")) + (5 if entry.context else 0)
    if entry.generic and not (lex.substring and text[hit.word[0]:hit.word[0] + 1].isupper()):
        score += 35   # a generic verb ("gezahlt", "cost"): only when nothing specific is near
    if entry.weak:
        score += 30   # what the money is for ("das Vorhaben", "the project"), not what it is
    if entry.requires_per:
        score -= 5    # a rate's own reading: "verdienen ... pro Woche" is a wage, not a profit
    if lex.substring:
        # German compounds: the head (last part) says what it is ("Rechenzentrums*projekte*")
        score += -8 if text[hit.end:hit.word[1]].lower() in _INFLECTION else 40
        score -= 6 if text[hit.word[0]:hit.word[0] + 1].isupper() else 0   # nouns before verbs
    elif any(h.start > hit.end and text[hit.end:h.start].strip(" -") == "" for h in hits):
        score += 12           # English modifier: "data-center revenue" is about revenue
    if any(h.end <= hit.start and _OF.fullmatch(text, h.end, hit.start) for h in hits):
        score += 25           # "Stromverbrauch von Rechenzentren", "shares of the chipmaker"
    if unit_class(unit) == "count" and hit.word[0] >= qend \
            and len(text[qend:hit.word[0]].split()) <= 3 and not re.search(r"[,;:()]", text[qend:hit.word[0]]):
        score -= 12           # the counted noun after a count ("27 Tore", "900 new AI startups")
    return score + entry.order * 0.001


def measure_for(text: str, qstart: int, qend: int, unit: str, change: str | None,
                hits: list[CueHit], lex: MeasureLexicon, per: str | None = None,
                context: str | None = None) -> Measure:
    """The measure of the quantity at [qstart, qend) of sentence `text`.

    `context` (default: the sentence) is where a context-bound entry looks for
    its context words; the caller may add the sentence before.
    """
    cls = unit_class(unit)
    context_lower = (context if context is not None else text).lower()
    qseg = _segment_index(text, qstart)
    best: tuple[float, CueHit, MeasureEntry, bool] | None = None
    for hit in hits:
        for entry in lex.cue_entries.get(hit.cue, ()):
            if entry.requires_per and not per:
                continue
            direct = not entry.units or cls in entry.units or unit in entry.units
            derived = not direct and (
                # a percentage of a level measure is its change ("Umsatz +5 %"), if it has one and
                # the number is a change (else "auf 3,5 Prozent", "half of all households" are shares)
                # (percentage points are a difference of two rates or shares, never the growth of
                # a sum: "Anteil am Umsatz stieg um 3 Prozentpunkte" is no revenue growth)
                (cls == "percent" and entry.change_key is not None and change is not None
                 and unit != "percentage_points" and bool(entry.units & {"money", "count", "points"}))
                or cls == "multiple"
            )
            if not (direct or derived):
                continue
            if entry.context is not None and not entry.context.search(context_lower):
                continue
            score = _score(text, qstart, qend, unit, change, hit, entry, hits, lex, qseg)
            score += 25 if derived and change is None else 0
            if best is None or score < best[0]:
                best = (score, hit, entry, derived)
    if per and lex.per_rules and (best is None or best[2].generic):
        # "knapp 7,50 Euro je Quadratmeter" in a rent context is a rent, whatever generic
        # word ("zahlen", "der Wert") is near; without the context it stays a price
        for pers, entry in lex.per_rules:
            if per in pers and (cls in entry.units or unit in entry.units) \
                    and (entry.context is None or entry.context.search(context_lower)):
                return Measure(best[1] and text[best[1].word[0]:best[1].word[1]] if best else None,
                               _key_for(entry, unit, change, False), entry)
    if best is None:
        default = lex.unit_defaults.get(unit)
        return Measure(None, default)
    _, hit, entry, derived = best
    return Measure(text[hit.word[0]:hit.word[1]], _key_for(entry, unit, change, derived), entry)


def ratio_of(measure: Measure, unit: str, change: str | None) -> Measure:
    """The measure of a multiple that compares the measure just stated ("... neunmal so viel")."""
    if measure.entry is None:
        return measure
    return Measure(measure.text, _key_for(measure.entry, unit, change, derived=True), measure.entry)
