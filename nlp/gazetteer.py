"""Entities from the maintained gazetteer (`data/gazetteer/*.jsonl`), as a spaCy component.

One JSON object per line and entity; adding a line adds an entity, no code change.
Matching is by spaCy PhraseMatcher over the aliases with three general rules
instead of listing every surface form:

* case: an alias is matched case-insensitively when it is at least 5 characters
  long, is not all lowercase and its entry is not `case_sensitive` -- and then
  only where the text has a capital or digit ("NVIDIA", "Deepseek", but not the
  word "apple"); short aliases ("US", "R1", "Meta", "dpa") match exactly.
* inflection: an alias plus a genitive suffix of the language ("Nvidias",
  "OpenAIs", "des Ifo-Instituts") is the entity; hyphen compounds ("Nvidia-Chips") work
  because the pipeline's tokenizer splits at hyphens between letters.
* ambiguity: `weak_aliases` ("R1", "Huang") count only when the same document
  names the entity by a strong alias or names one of its `context` entities;
  `not_in` phrases ("US-Dollar") block a match inside them.

Spans carry `kb_id_` = gazetteer id and `id_` = canonical name. Entities already
on the doc (from a trained NER) are kept where they do not overlap ours, with
labels mapped by `data/entity_labels.json`; ours win on overlap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.config import DEFAULT_DATA_DIR
from nlp.doctext import doc_text
from nlp.resources import DataFileError, lang_file, read_json, read_jsonl

LABELS = ("ORG", "PER", "LOC", "PRODUCT", "MEDIA", "MISC")
_MIN_FOLDED_LEN = 5
_ALIAS_TOKENS = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    name: str
    type: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    context: tuple[str, ...]
    not_in: tuple[str, ...]
    case_sensitive: bool
    generated: bool = False      # from gazetteer/generated/: matched by text lookup, not PhraseMatcher


def _entry(row: dict, where: str) -> GazetteerEntry:
    missing = [k for k in ("id", "name", "type") if not row.get(k)]
    if missing:
        raise DataFileError(f"{where}: entry lacks {', '.join(missing)}; see nlp/data/README.md")
    if row["type"] not in LABELS:
        raise DataFileError(f"{where}: type {row['type']!r} is not one of {', '.join(LABELS)}")
    weak = tuple(dict.fromkeys(row.get("weak_aliases", [])))
    strong = tuple(a for a in dict.fromkeys([row["name"], *row.get("aliases", [])]) if a not in weak)
    return GazetteerEntry(
        id=row["id"], name=row["name"], type=row["type"], strong=strong, weak=weak,
        context=tuple(row.get("context", [])), not_in=tuple(row.get("not_in", [])),
        case_sensitive=bool(row.get("case_sensitive", False)),
    )


@lru_cache(maxsize=8)
def load_gazetteer(data_dir: str) -> tuple[GazetteerEntry, ...]:
    """All entries of all `gazetteer/*.jsonl` files (ids must be unique), then those of
    `gazetteer/generated/*.jsonl` (built from public datasets, e.g. GeoNames places).

    Curated entries win: a generated alias that a curated entry already uses (ignoring
    case) is dropped, and so is a generated entry left without a name or with a used id.
    """
    entries: dict[str, GazetteerEntry] = {}
    folder = Path(data_dir) / "gazetteer"
    for path in sorted(folder.glob("*.jsonl")):
        for n, row in enumerate(read_jsonl(str(path)), start=1):
            entry = _entry(row, f"{path.name} entry {n}")
            if entry.id in entries:
                raise DataFileError(f"{path.name} entry {n}: id {entry.id!r} is used twice; ids must be unique")
            entries[entry.id] = entry
    used = {a.casefold() for e in entries.values() for a in (*e.strong, *e.weak)}
    for path in sorted((folder / "generated").glob("*.jsonl")):
        for n, row in enumerate(read_jsonl(str(path)), start=1):
            entry = _entry(row, f"generated/{path.name} entry {n}")
            strong = tuple(a for a in entry.strong if a.casefold() not in used)
            if not strong or entry.id in entries:
                continue
            name = entry.name if entry.name in strong else strong[0]
            entries[entry.id] = GazetteerEntry(entry.id, name, entry.type, strong,
                                               tuple(a for a in entry.weak if a.casefold() not in used),
                                               entry.context, entry.not_in, entry.case_sensitive,
                                               generated=True)
            used.update(a.casefold() for a in strong)
    return tuple(entries.values())


def folds_case(alias: str, entry: GazetteerEntry) -> bool:
    """True if `alias` is matched case-insensitively (see module docstring)."""
    return not entry.case_sensitive and len(alias) >= _MIN_FOLDED_LEN and alias != alias.lower()


def _has_capital_or_digit(text: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in text)


@lru_cache(maxsize=8)
def load_label_map(data_dir: str) -> dict[str, str]:
    path = Path(data_dir) / "entity_labels.json"
    return dict(read_json(str(path))) if path.is_file() else {}


@lru_cache(maxsize=32)
def load_genitive_suffixes(data_dir: str, lang: str) -> tuple[str, ...]:
    path = lang_file(Path(data_dir), "entity_rules", lang, ".json")
    return tuple(read_json(str(path)).get("genitive_suffixes", [])) if path else ()


@lru_cache(maxsize=32)
def load_place_adjectives(data_dir: str, lang: str) -> tuple[tuple[str, str], ...]:
    """[ending, replacement] pairs making an adjective of a place name ("Leipzig" -> "Leipziger")."""
    path = lang_file(Path(data_dir), "entity_rules", lang, ".json")
    return tuple((a, b) for a, b in read_json(str(path)).get("place_adjectives", [])) if path else ()


def place_adjectives(name: str, rules: tuple[tuple[str, str], ...]) -> list[str]:
    """Adjectives of a one-word place name by the language's rules ("Dresden" -> "Dresdner", "Dresdener")."""
    if not rules or len(name) < 4 or not name.isalpha() or not name[:1].isupper():
        return []
    return [name[: len(name) - len(end)] + add for end, add in rules if name.endswith(end)]


class GazetteerMatcher:
    """Sets `doc.ents` from the gazetteer (see module docstring)."""

    def __init__(self, nlp: Language, name: str, entries: tuple[GazetteerEntry, ...],
                 genitive_suffixes: tuple[str, ...], label_map: dict[str, str],
                 adjective_rules: tuple[tuple[str, str], ...] = ()) -> None:
        self.name = name
        self.adjective_rules = adjective_rules
        self.entries = {e.id: e for e in entries}
        self.genitive_suffixes = genitive_suffixes
        # capitalized (or digit-initial) words ending in a genitive suffix
        self.genitive_re = re.compile(
            r"(?<![\w'’-])[^\W_a-zäöüß][\w'’.&]*(?:" + "|".join(map(re.escape, genitive_suffixes)) + r")(?![\w])"
        ) if genitive_suffixes else None
        self.label_map = label_map
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.blocks = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.single_exact: dict[str, tuple[str, bool]] = {}
        self.single_folded: dict[str, tuple[str, bool]] = {}
        exact: dict[str, list[str]] = {}
        folded: dict[str, list[str]] = {}
        self._index_generated([e for e in entries if e.generated])
        self._index_adjectives(entries)
        # the first words as the hashes of a token's LOWER attribute, to find their tokens in one array test
        self._first_word_keys = numpy.array(sorted(hash_string(w) for w in self.first_words), dtype=numpy.uint64)
        for e in entries:
            if e.generated:
                continue
            for weak, aliases in ((False, e.strong), (True, e.weak)):
                key = f"{e.id}\t{int(weak)}"
                for alias in aliases:
                    (folded if folds_case(alias, e) else exact).setdefault(key, []).append(alias)
        tokenizer = nlp.tokenizer
        for table, matcher, single, fold in ((exact, self.exact, self.single_exact, False),
                                             (folded, self.folded, self.single_folded, True)):
            for key, aliases in table.items():
                docs = list(tokenizer.pipe(aliases))
                # "des Statistischen Bundesamtes": a name of several words inflects its last one
                inflected = [a + suffix for a, d in zip(aliases, docs) if len(d) > 1 and d[-1].is_alpha
                             for suffix in genitive_suffixes]
                matcher.add(key, docs + list(tokenizer.pipe(inflected)))
                entry_id, weak = key.split("\t")
                for d in docs:
                    if len(d) == 1:
                        single.setdefault(d.text.lower() if fold else d.text, (entry_id, weak == "1"))
        for e in entries:
            if e.not_in:
                self.blocks.add(e.id, list(tokenizer.pipe(e.not_in)))
        self._strings = nlp.vocab.strings

    def _index_generated(self, entries: list[GazetteerEntry]) -> None:
        """Generated entries (thousands of places) are looked up by span text instead of being
        added to a PhraseMatcher: tokenizing every alias at start-up would cost seconds."""
        self.lookup_exact: dict[str, tuple[str, bool]] = {}
        self.lookup_folded: dict[str, tuple[str, bool]] = {}
        self.first_words: dict[str, int] = {}   # lowercased first word -> most tokens of an alias
        for e in entries:
            for weak, aliases in ((False, e.strong), (True, e.weak)):
                for alias in aliases:
                    words = _ALIAS_TOKENS.findall(alias)
                    if not words:
                        continue
                    fold = folds_case(alias, e)
                    (self.lookup_folded if fold else self.lookup_exact).setdefault(
                        alias.lower() if fold else alias, (e.id, weak))
                    first = words[0].lower()
                    self.first_words[first] = max(self.first_words.get(first, 0), len(words))
                    if len(words) == 1:
                        (self.single_folded if fold else self.single_exact).setdefault(
                            alias.lower() if fold else alias, (e.id, weak))

    def _index_adjectives(self, entries: tuple[GazetteerEntry, ...]) -> None:
        """"Leipziger Mieter": the adjective of a one-word place alias is a mention of the place,
        unless it is itself an alias of some entry ("Frankfurter Allgemeine" stays the newspaper)."""
        if not self.adjective_rules:
            return
        aliases = {a.casefold() for e in entries for a in (*e.strong, *e.weak)}
        for e in entries:
            if e.type != "LOC":
                continue
            for alias in e.strong:
                for adj in place_adjectives(alias, self.adjective_rules):
                    if adj.casefold() in aliases or adj in self.lookup_exact:
                        continue
                    self.lookup_exact[adj] = (e.id, False)
                    self.first_words[adj.lower()] = max(self.first_words.get(adj.lower(), 0), 1)

    def _looked_up(self, doc: Doc) -> list[tuple[int, int, str, bool]]:
        """Generated aliases: spans starting with a capitalized known first word, by text."""
        out = []
        if not self.first_words:
            return out
        n = len(doc)
        lowers = doc.to_array(LOWER).reshape(-1)
        keys = self._first_word_keys
        at = numpy.minimum(numpy.searchsorted(keys, lowers), len(keys) - 1)
        for i in numpy.flatnonzero(keys[at] == lowers).tolist():
            t = doc[i].text
            if not t[:1].isupper():
                continue
            most = self.first_words.get(t.lower())
            if not most:
                continue
            for j in range(i + 1, min(n, i + most + 2) + 1):
                text = doc[i:j].text
                hit = self.lookup_exact.get(text) or self.lookup_folded.get(text.lower())
                if hit:
                    out.append((i, j, hit[0], hit[1]))
        return out

    def _candidates(self, doc: Doc) -> list[tuple[int, int, str, bool]]:
        strings = self._strings
        found = []
        for match_id, s, e in self.exact(doc):
            entry_id, weak = strings[match_id].split("\t")
            found.append((s, e, entry_id, weak == "1"))
        for match_id, s, e in self.folded(doc):
            if _has_capital_or_digit(doc[s:e].text):
                entry_id, weak = strings[match_id].split("\t")
                found.append((s, e, entry_id, weak == "1"))
        found.extend(self._looked_up(doc))
        if self.genitive_re is not None:
            found.extend(self._genitives(doc))
        return found

    def _genitives(self, doc: Doc) -> list[tuple[int, int, str, bool]]:
        """Tokens that are a single-token alias plus a genitive suffix ("Nvidias").

        Candidates come from one regex pass over the text (capitalized words
        ending in a suffix), then must coincide with a whole token.
        """
        text = doc_text(doc)
        out = []
        idx = None
        for m in self.genitive_re.finditer(text):
            word = m.group()
            for suffix in self.genitive_suffixes:
                if not word.endswith(suffix) or len(word) <= len(suffix) + 1:
                    continue
                stem = word[: -len(suffix)]
                hit = self.single_exact.get(stem) or self.single_folded.get(stem.lower())
                if not hit:
                    continue
                if idx is None:
                    idx = doc.to_array(IDX).reshape(-1)
                i = int(numpy.searchsorted(idx, m.start()))
                if i < len(idx) and idx[i] == m.start() and len(doc[i]) == len(word):
                    out.append((i, i + 1, hit[0], hit[1]))
                break
        return out

    def __call__(self, doc: Doc) -> Doc:
        found = self._candidates(doc)
        if found and len(self.blocks):
            blocked: dict[str, list[tuple[int, int]]] = {}
            for match_id, s, e in self.blocks(doc):
                blocked.setdefault(self._strings[match_id], []).append((s, e))
            found = [c for c in found
                     if not any(bs <= c[0] and c[1] <= be for bs, be in blocked.get(c[2], ()))]
        named = {c[2] for c in found if not c[3]}
        spans = []
        for s, e, entry_id, weak in found:
            entry = self.entries[entry_id]
            if weak and entry_id not in named and not any(x in named for x in entry.context):
                continue
            spans.append(Span(doc, s, e, label=entry.type, kb_id=entry.id, span_id=entry.name))
        ours = filter_spans(spans)
        taken = set()
        for sp in ours:
            taken.update(range(sp.start, sp.end))
        kept = []
        for ent in doc.ents:  # from a trained NER, if any
            label = self.label_map.get(ent.label_)
            if label and not any(i in taken for i in range(ent.start, ent.end)):
                kept.append(Span(doc, ent.start, ent.end, label=label))
        doc.ents = sorted(ours + kept, key=lambda sp: sp.start)
        return doc


@Language.factory(
    "newsgraph_gazetteer",
    default_config={"data_dir": None, "lang": None},
)
def make_gazetteer(nlp: Language, name: str, data_dir: str | None, lang: str | None) -> GazetteerMatcher:
    """Factory: entries from `data_dir/gazetteer`, genitive suffixes for `lang` (default nlp.lang)."""
    folder = str(data_dir or DEFAULT_DATA_DIR)
    return GazetteerMatcher(
        nlp, name, load_gazetteer(folder),
        genitive_suffixes=load_genitive_suffixes(folder, lang or nlp.lang),
        adjective_rules=load_place_adjectives(folder, lang or nlp.lang),
        label_map=load_label_map(folder),
    )
