"""Entities for names the gazetteer does not know, from patterns in `data/entity_rules/<lang>.json`.

News introduces new names with a handful of constructions: a company suffix
("Strider Technologies", "Foo AG"), a descriptor noun ("das Start-up X",
"Chipkonzern X", "the startup X"), a title ("Präsidentin X Y", "CEO X Y",
"X Y, Senior Advisor"), or an attribution ("Medien wie X und Y", "laut X",
"told X"). Each rule is a regex over the document text with a named group
`ent` (one name) or `list` (several names). Regexes run on the whole text,
not per token, which keeps the component cheap. Gazetteer entities already
on the doc always win; among rules, earlier ones win.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bisect import bisect_left

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.config import DEFAULT_DATA_DIR
from nlp.doctext import doc_text
from nlp.regex_scan import WordStartScanner
from nlp.regex_trie import trie_pattern
from nlp.resources import DataFileError, lang_file, read_json, read_lines

_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_WORD = re.compile(r"\S+")
_EDGE_PUNCT = "„“”\"'»«‚‘’,;:()[]"


@dataclass(frozen=True)
class EntityRule:
    label: str
    regex: re.Pattern            # the whole pattern, or the anchor of an anchor rule
    min_tokens: int
    noun_check: bool
    left: re.Pattern | None = None   # anchor rules: what must end right before the anchor
    short: str | None = None         # "first"/"last": that word alone, elsewhere, is a mention too
    wins_over: frozenset[str] = frozenset()   # labels of entities inside the name it replaces


_LEFT_WINDOW = 80


@dataclass(frozen=True)
class EntityRuleSet:
    rules: tuple[EntityRule, ...]
    list_separators: re.Pattern
    not_names: frozenset[str]
    function_words: frozenset[str]
    noun_suffixes: tuple[str, ...]
    leading_descriptor: re.Pattern | None
    scanner: WordStartScanner    # the matches of every rule's regex (same as finditer, faster)
    genitive_suffixes: tuple[str, ...] = ()
    short_suffixes: tuple[str, ...] = ()      # endings a short mention may carry too (adjective "-er")
    common_nouns: frozenset[str] = frozenset()  # "Menschen", "Kunden": never (part of the edge of) a name
    never_name: re.Pattern | None = None      # "27-Jährige", "27-year-old": never a name


def _placeholder_regex(value: str | list[str]) -> str:
    """A placeholder is a regex, or a word list (matched lowercase or capitalized) as a prefix tree."""
    if isinstance(value, list):
        return trie_pattern([w for v in value for w in (v, v[:1].upper() + v[1:])])
    return value


def expand_placeholders(pattern: str, placeholders: dict[str, str | list[str]]) -> str:
    """Replace {NAME} references (recursively) with their regex from the data file."""
    compiled = {k: _placeholder_regex(v) for k, v in placeholders.items()}
    for _ in range(10):
        new = _PLACEHOLDER.sub(lambda m: compiled.get(m.group(1), m.group(0)), pattern)
        if new == pattern:
            return new
        pattern = new
    raise DataFileError(f"placeholders nest too deep (cycle?) in {pattern[:80]!r}")


@lru_cache(maxsize=32)
def load_entity_rules(data_dir: str, lang: str) -> EntityRuleSet | None:
    path = lang_file(Path(data_dir), "entity_rules", lang, ".json")
    if path is None:
        return None
    data = read_json(str(path))
    placeholders = dict(data.get("placeholders", {}))
    for key, file_name in data.get("word_lists", {}).items():
        # a word list file next to the rules: matched exactly as written (a capitalized name)
        words = read_lines(str(path.parent / file_name))
        placeholders[key] = trie_pattern(words)
    rules = []
    short_by_label = dict(data.get("short_mentions", {}))
    for n, row in enumerate(data.get("rules", []), start=1):
        min_tokens = int(row.get("min_tokens", 2 if row["label"] == "PER" else 1))
        short = row.get("short_mention", short_by_label.get(row["label"]))
        if short not in (None, "first", "last", "whole"):
            raise DataFileError(f"{path}: rule {n}: short_mention must be 'first', 'last' or 'whole'")
        extra = {"short": short, "wins_over": frozenset(row.get("wins_over", []))}
        try:
            if "anchor" in row:
                anchor = re.compile(expand_placeholders(row["anchor"], placeholders))
                left = re.compile("(?:" + expand_placeholders(row["left"], placeholders) + r")$")
                rules.append(EntityRule(row["label"], anchor, min_tokens, bool(row.get("noun_check", True)), left,
                                        **extra))
                continue
            regex = re.compile(expand_placeholders(row["regex"], placeholders))
        except (re.error, KeyError) as exc:
            raise DataFileError(f"{path}: rule {n} is not a valid pattern: {exc}") from exc
        if "ent" not in regex.groupindex and "list" not in regex.groupindex:
            raise DataFileError(f"{path}: rule {n} needs a named group (?P<ent>...) or (?P<list>...)")
        rules.append(EntityRule(row["label"], regex, min_tokens, bool(row.get("noun_check", True)), **extra))
    stop_path = lang_file(Path(data_dir), "stopwords", lang, ".txt")
    return EntityRuleSet(
        rules=tuple(rules),
        list_separators=re.compile(data.get("list_separators", r"\s*,\s*")),
        not_names=frozenset(data.get("not_names", [])),
        function_words=frozenset(w.lower() for w in read_lines(str(stop_path))) if stop_path else frozenset(),
        noun_suffixes=tuple(data.get("noun_suffixes", [])),
        leading_descriptor=re.compile(data["leading_descriptors"], re.IGNORECASE)
        if data.get("leading_descriptors") else None,
        scanner=WordStartScanner(tuple(rule.regex for rule in rules)),
        genitive_suffixes=tuple(data.get("genitive_suffixes", [])),
        short_suffixes=tuple(data.get("short_mention_suffixes", [])),
        common_nouns=frozenset(data.get("common_nouns", [])),
        never_name=re.compile(data["never_name"]) if data.get("never_name") else None,
    )


def is_common_word(word: str, rules: EntityRuleSet) -> bool:
    """A common noun or an age noun ("Menschen", "27-Jährige"): such a word is never an entity."""
    return word in rules.common_nouns or bool(rules.never_name and rules.never_name.fullmatch(word))


def trim_name(text: str, start: int, end: int, rules: EntityRuleSet,
              noun_check: bool = True) -> tuple[int, int, int] | None:
    """Drop function words / non-names at both ends; (start, end, n_tokens) or None."""
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]
    clean = []
    for s, e in words:
        while s < e and text[s] in _EDGE_PUNCT:
            s += 1
        while e > s and text[e - 1] in _EDGE_PUNCT:
            e -= 1
        if e > s:
            clean.append((s, e))

    def droppable(span: tuple[int, int], keep_not_names: bool = False) -> bool:
        w = text[span[0]:span[1]]
        if w.lower() in rules.function_words:
            return True
        if w in rules.not_names:
            return not keep_not_names
        return not w[:1].isalnum()

    # right after a lowercase descriptor noun ("the grid operator National Grid") a name of several
    # capitalized words is kept whole: an adjective in `not_names` there starts the name
    whole = len(clean) > 1 and _after_descriptor(text, start, rules) and all(
        text[s:s + 1].isupper() for s, _ in clean)
    while clean and (droppable(clean[0], keep_not_names=whole) or (
            len(clean) > 1 and rules.leading_descriptor is not None
            and rules.leading_descriptor.fullmatch(text[clean[0][0]:clean[0][1]]))):
        clean.pop(0)
    while clean and droppable(clean[-1]):
        clean.pop()
    if not clean or all(is_common_word(text[s:e], rules) for s, e in clean):
        return None                                # "Menschen", "27-Jährige" alone are no name
    for s, e in clean if noun_check else ():
        w = text[s:e]
        if any(w.endswith(suf) and len(w) > len(suf) + 3 for suf in rules.noun_suffixes):
            return None
    return clean[0][0], clean[-1][1], len(clean)


_WORD_BEFORE = re.compile(r"([^\W\d_][\w-]*)[ \t]+$")


def _after_descriptor(text: str, start: int, rules: EntityRuleSet) -> bool:
    """Does a lowercase descriptor noun ("operator", "Konzern" is no: lowercase only) stand right before `start`?"""
    if rules.leading_descriptor is None:
        return False
    m = _WORD_BEFORE.search(text, max(0, start - 40), start)
    return bool(m and m.group(1)[:1].islower() and rules.leading_descriptor.fullmatch(m.group(1)))


def short_mentions(text: str, found: list[tuple[int, int, EntityRule]], rules: EntityRuleSet,
                   taken: list[tuple[int, int]]) -> list[tuple[int, int, EntityRule, str]]:
    """(start, end, rule, full name): the first or last word (as the rule's `short` says) of a
    multi-word name standing alone elsewhere in the text, maybe with a genitive suffix or as the
    first part of a hyphen compound ("Jonas Vedder" ... "Vedder", "Vedders"; "Auralis Cell" ...
    "Auralis-Werk"), as a mention of the full name. `short` "whole": a one-word name that its
    rule knew only from the words around it ("the Auenpark stadium") is that name again where
    it stands alone ("The Auenpark holds ..."). A word shared by two names, a function word
    and a word that looks like a noun (noun suffixes) are left alone."""
    full: dict[str, tuple[str, EntityRule]] = {}
    clash: set[str] = set()
    for s, e, rule in found:
        words = text[s:e].split()
        if rule.short is None or (len(words) == 1) != (rule.short == "whole"):
            continue
        word = (words[-1] if rule.short == "last" else words[0]).strip(_EDGE_PUNCT)
        if (len(word) < 3 or not word[:1].isupper() or word.lower() in rules.function_words
                or word in rules.not_names
                or any(word.endswith(suf) and len(word) > len(suf) + 3 for suf in rules.noun_suffixes)):
            continue
        if word in full and full[word][0] != text[s:e]:
            clash.add(word)
        full.setdefault(word, (text[s:e], rule))
    for word in clash:
        full.pop(word)
    if not full:
        return []
    suffixes = "|".join(re.escape(x) for x in (*rules.genitive_suffixes, *rules.short_suffixes))
    pattern = re.compile(r"(?<![\w\-])(" + "|".join(re.escape(w) for w in sorted(full, key=len, reverse=True))
                         + r")(?:" + (suffixes or "(?!)") + r")?(?![\w])")
    spans = taken + [(s, e) for s, e, _ in found]
    out = []
    for m in pattern.finditer(text):
        s, e = m.span()
        if any(not (e <= ts or s >= te) for ts, te in spans):
            continue
        name, rule = full[m.group(1)]
        out.append((s, e, rule, name))
    return out


def find_rule_matches(text: str, rules: EntityRuleSet) -> list[tuple[int, int, EntityRule]]:
    """(start, end, rule) of rule-based names in `text`; earlier rules win overlaps."""
    found: list[tuple[int, int, EntityRule]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= fs or s >= fe for fs, fe, _ in found)

    for rule, matches in zip(rules.rules, rules.scanner.scan(text)):
        for m in matches:
            extend_to = None
            if rule.left is not None:
                # anchor rule: "<name> AG" -- the name must end right before the anchor
                left = rule.left.search(text, max(0, m.start() - _LEFT_WINDOW), m.start())
                if left is None:
                    continue
                pieces = [left.span()]
                extend_to = m.end()
            elif "list" in rule.regex.groupindex and m.group("list") is not None:
                base = m.start("list")
                pieces, pos = [], 0
                chunk = m.group("list")
                for sep in rules.list_separators.finditer(chunk):
                    pieces.append((base + pos, base + sep.start()))
                    pos = sep.end()
                pieces.append((base + pos, base + len(chunk)))
            else:
                pieces = [(m.start("ent"), m.end("ent"))]
            for s, e in pieces:
                trimmed = trim_name(text, s, e, rules, rule.noun_check)
                if trimmed is None:
                    continue
                s, e, n_tokens = trimmed
                if extend_to is not None:
                    if e != pieces[0][1] and text[e:pieces[0][1]].strip():
                        continue            # the name must still touch the anchor
                    n_tokens += len(text[e:extend_to].split())
                    e = extend_to
                if n_tokens >= rule.min_tokens and free(s, e):
                    found.append((s, e, rule))
    return sorted(found, key=lambda f: (f[0], f[1]))


def find_rule_entities(text: str, rules: EntityRuleSet) -> list[tuple[int, int, str]]:
    """(start, end, label) of rule-based names in `text`; earlier rules win overlaps."""
    return [(s, e, rule.label) for s, e, rule in find_rule_matches(text, rules)]


class EntityRuleMatcher:
    """Adds rule-based entities to `doc.ents` where no entity is yet."""

    def __init__(self, name: str, rules: EntityRuleSet | None) -> None:
        self.name = name
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        if self.rules is None or not self.rules.rules or not len(doc):
            return doc
        if self.rules.common_nouns or self.rules.never_name:
            named = [x for x in doc.ents if not all(is_common_word(t.text, self.rules) for t in x)]
            if len(named) < len(doc.ents):      # a gazetteer's "Menschen", "27-Jährige"
                doc.ents = named
        text = doc_text(doc)
        found = find_rule_matches(text, self.rules)
        if not found:
            return doc
        ents = list(doc.ents)
        # a rule may replace entities of its `wins_over` labels that lie inside its name
        # ("FC Nordhafen" over a place "Nordhafen", "Manchester United" over "Manchester")
        replaced = set()
        for s, e, rule in found:
            if rule.wins_over:
                inside = [x for x in ents if x.label_ in rule.wins_over and s <= x.start_char
                          and x.end_char <= e and (x.start_char, x.end_char) != (s, e)]
                blocking = [x for x in ents if not (e <= x.start_char or s >= x.end_char) and x not in inside]
                if inside and not blocking:
                    replaced.update(id(x) for x in inside)
        if replaced:
            for x in ents:
                if id(x) in replaced:
                    for tok in x:
                        tok.ent_id = 0      # else the new span inherits the old canonical name
            ents = [x for x in ents if id(x) not in replaced]
        taken = [(x.start_char, x.end_char) for x in ents]
        starts = doc.to_array(IDX).reshape(-1).tolist()
        added = bool(replaced)
        names: dict[tuple[int, int], str] = {}
        for s, e, rule, name in short_mentions(text, found, self.rules, taken):
            names[(s, e)] = name
            found.append((s, e, rule))
        for s, e, rule in found:
            if any(not (e <= ts or s >= te) for ts, te in taken):
                continue
            # tokens fully inside [s, e) ("contract" alignment), found by bisection
            i = bisect_left(starts, s)
            j = bisect_left(starts, e)
            while j > i and starts[j - 1] + len(doc[j - 1]) > e:
                j -= 1
            if j <= i:
                continue
            span = Span(doc, i, j, label=rule.label, span_id=names.get((s, e), ""))
            if any(not (span.end_char <= ts or span.start_char >= te) for ts, te in taken):
                continue
            ents.append(span)
            taken.append((span.start_char, span.end_char))
            added = True
        if added:
            doc.ents = sorted(ents, key=lambda sp: sp.start)
        return doc


@Language.factory(
    "newsgraph_entity_rules",
    default_config={"data_dir": None, "lang": None},
)
def make_entity_rules(nlp: Language, name: str, data_dir: str | None, lang: str | None) -> EntityRuleMatcher:
    """Factory: rules of `lang` (default nlp.lang); a language without a rules file adds nothing."""
    return EntityRuleMatcher(name, load_entity_rules(str(data_dir or DEFAULT_DATA_DIR), lang or nlp.lang))
