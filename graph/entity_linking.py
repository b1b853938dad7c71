"""Mentions of one entity across spelling, case, inflection, compounds and languages -> one entity.

How a mention finds its entity, strongest evidence first:

1. an explicit override in `data/aliases.toml` (merge lists; never-merge pairs
   veto every other rule);
2. the gazetteer id the NLP stage attached (`kb_id`), which already unifies
   languages and aliases ("USA" / "Vereinigte Staaten" / "US");
3. the normalized name (case, accents, dots, legal suffixes: "NVIDIA Corp." ->
   "nvidia") equal to a known name;
4. an inflected or compound form whose base is a known name: genitive
   "Nvidias", possessive "OpenAI's", compound "Nvidia-Chips" (but not
   "Nvidia-H100": a tail with digits names a product, not the company);
5. a near-identical spelling ("Huawai") of a known name in the same block
   (first letters), confirmed by name embeddings; digits must match exactly.

Names that merely share a word stay apart: "Nvidia H100" is not "Nvidia",
"Meta" is not "Metaverse". Ids are stable: the kb_id, else "<group>:<normalized
name>" of the first form that created the entity; later mentions join it.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from graph.link_types import CanonicalEntity

NameVectors = Callable[[list[str]], np.ndarray]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_DOTS = re.compile(r"(?<=\w)\.(?=\w|$|\s)")
_POSSESSIVE = re.compile(r"'s\b|(?<=s)'(?!\w)")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_DIGIT_TOKEN = re.compile(r"\w*\d\w*")
_FUZZY_MIN_LEN = 5
_NOT_CONTEXT = ("MEDIA", "PER")     # labels never taken as what a neighbouring number is about
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE_BREAK = re.compile(r"[,;:()–—]")
_MEASURED_PHRASE_WORDS = 4     # "der neuen Kapazität in": words after a number that still name what it measures
_MAX_ALIASES = 40


@dataclass(frozen=True)
class NameRules:
    """Normalization data from `data/entity_names.toml`."""

    legal_suffixes: frozenset[str]
    leading_articles: frozenset[str]
    inflection_suffixes: tuple[str, ...]
    label_groups: dict[str, str]
    # "in US history", "in den Vereinigten Staaten": a place after one of these
    # words says where, not what a number is about
    locative: re.Pattern | None = None

    def group(self, label: str | None) -> str:
        return self.label_groups.get((label or "").upper(), "org")


@dataclass(frozen=True)
class Merge:
    names: tuple[str, ...]
    kb_id: str | None
    type: str | None


@dataclass(frozen=True)
class AliasRules:
    """Overrides from `data/aliases.toml`: merge lists and never-merge pairs (as name keys)."""

    merges: tuple[Merge, ...] = ()
    never: frozenset[frozenset[str]] = frozenset()


@dataclass(frozen=True)
class MentionForm:
    """What identifies a mention for linking: its surface form, label and gazetteer hints."""

    text: str
    label: str | None = None
    canonical: str | None = None
    kb_id: str | None = None


@lru_cache(maxsize=8)
def load_name_rules(path: str | Path) -> NameRules:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return NameRules(
        legal_suffixes=frozenset(s.casefold() for s in raw.get("legal_suffixes", [])),
        leading_articles=frozenset(s.casefold() for s in raw.get("leading_articles", [])),
        inflection_suffixes=tuple(raw.get("inflection_suffixes", [])),
        label_groups={k.upper(): v for k, v in raw.get("label_groups", {}).items()},
        locative=_ending_with(raw.get("locative_prepositions", [])),
    )


def _ending_with(words: list[str]) -> re.Pattern | None:
    """Text ending in one of `words`, maybe followed by an article or one more word ("in the", "in den")."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:^|\W)(?:{alternatives})\s+(?:\w+\s+)?$", re.IGNORECASE)


@lru_cache(maxsize=8)
def load_alias_rules(path: str | Path, names_path: str | Path) -> AliasRules:
    rules = load_name_rules(names_path)
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    merges = []
    for i, m in enumerate(raw.get("merge", []), start=1):
        names = tuple(m.get("names", []))
        if len(names) < 2:
            raise ValueError(f"{path}: [[merge]] #{i} needs names = [at least two names]")
        merges.append(Merge(names, m.get("kb_id"), m.get("type")))
    never = set()
    for i, n in enumerate(raw.get("never", []), start=1):
        names = n.get("names", [])
        if len(names) != 2:
            raise ValueError(f"{path}: [[never]] #{i} needs names = [exactly two names]")
        never.add(frozenset(name_key(x, rules) for x in names))
    return AliasRules(tuple(merges), frozenset(never))


# -- names ------------------------------------------------------------------

def _fold(text: str) -> str:
    """NFKC, unified apostrophes, casefold, accents stripped, dots inside abbreviations dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _DOTS.sub("", text)


def name_key(name: str, rules: NameRules) -> str:
    """The comparable form of a name: "NVIDIA Corp." -> "nvidia", "Deep-Seek" -> "deep seek"."""
    return _name_key(name, rules.leading_articles, rules.legal_suffixes)


@lru_cache(maxsize=200_000)
def _name_key(name: str, leading: frozenset[str], suffixes: frozenset[str]) -> str:
    tokens = _TOKEN.findall(_POSSESSIVE.sub("", _fold(name)))
    while len(tokens) > 1 and tokens[0] in leading:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in suffixes:
        tokens = tokens[:-1]
    return " ".join(tokens)


def variant_keys(name: str, rules: NameRules) -> list[str]:
    """Base forms an inflected or compound name may stand for, most specific first.

    "Nvidias" -> ["nvidia"]; "OpenAI's" -> ["openai"]; "Nvidia-Chips" -> ["nvidia"];
    "Jiazi-Guangnian-Bericht" -> ["jiazi guangnian", "jiazi"]. A compound tail
    containing digits ("Nvidia-H100") is a model name, so no base is offered.
    These are only candidates: a variant counts only if it is a known name.
    """
    out: list[str] = []
    folded = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).strip()
    for suffix in rules.inflection_suffixes:
        if folded.casefold().endswith(suffix) and len(folded) - len(suffix) >= 2:
            out.append(name_key(folded[: -len(suffix)], rules))
    parts = folded.split("-")
    for cut in range(len(parts) - 1, 0, -1):
        tail = "-".join(parts[cut:])
        if any(ch.isdigit() for ch in tail):
            break
        head = "-".join(parts[:cut])
        if len(head) >= 2:
            out.append(name_key(head, rules))
    own = name_key(name, rules)
    if " " in own:
        out.append(own.replace(" ", ""))   # "Deep Seek" -> "deepseek"
    return [k for k in dict.fromkeys(out) if k and k != own]


def slug(key: str) -> str:
    return re.sub(r"\s+", "-", key.strip())


def _digits(key: str) -> tuple[str, ...]:
    return tuple(_DIGIT_TOKEN.findall(key))


# -- the index of known entities --------------------------------------------

@dataclass
class EntityIndex:
    """Known entities and the keys (normalized names) that lead to them.

    Built from the gazetteer seeds, the alias overrides and the entities already
    in the record; `link_entities` adds to it. `used` are the ids that some
    mention resolved to (only those are written to the record).
    """

    rules: NameRules
    aliases: AliasRules = field(default_factory=AliasRules)
    entities: dict[str, CanonicalEntity] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    entity_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_prefix: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    forced: dict[str, str] = field(default_factory=dict)      # key -> entity id (merge lists)
    used: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)           # ids created or given new aliases

    def add_entity(self, entity: CanonicalEntity, names: Iterable[str] = ()) -> None:
        self.entities.setdefault(entity.id, entity)
        for n in [entity.name, *entity.aliases, *names]:
            self.register(n, entity.id)

    def register(self, name: str, entity_id: str) -> None:
        key = name_key(name, self.rules)
        if not key:
            return
        if entity_id not in self.keys[key]:
            self.keys[key].append(entity_id)
            self.entity_keys[entity_id].add(key)
            if len(key) >= _FUZZY_MIN_LEN:
                self.by_prefix[key[:3]].add(key)

    def vetoed(self, key: str, entity_id: str) -> bool:
        """A never-merge pair stands between `key` and one of the entity's names."""
        if not self.aliases.never:
            return False
        return any(frozenset((key, k)) in self.aliases.never for k in self.entity_keys.get(entity_id, ()))

    def find(self, key: str, group: str | None) -> str | None:
        """The entity a key names: merge overrides, then same label group, then a gazetteer entity."""
        if key in self.forced:
            return self.forced[key]
        ids = self.keys.get(key) or []
        if not ids:
            return None
        same = [i for i in ids if group is None or self._group_of(i) == group]
        if same:
            return sorted(same, key=lambda i: (self.entities[i].kb_id is None, i))[0]
        kb = [i for i in ids if self.entities[i].kb_id is not None]
        return sorted(kb)[0] if kb else None

    def _group_of(self, entity_id: str) -> str:
        return self.rules.group(self.entities[entity_id].type)


def build_index(rules: NameRules, aliases: AliasRules, existing: Iterable[CanonicalEntity] = (),
                seeds: Iterable[CanonicalEntity] = ()) -> EntityIndex:
    """An index of what is known before this batch: record entities win over seeds."""
    index = EntityIndex(rules=rules, aliases=aliases)
    for e in existing:
        index.add_entity(e)
    for e in seeds:
        if e.id not in index.entities:
            index.add_entity(e)
    for m in aliases.merges:
        target = m.kb_id or None
        if target is None:
            for n in m.names:
                found = index.find(name_key(n, rules), None)
                if found:
                    target = found
                    break
        if target is None:
            target = f"{rules.group(m.type)}:{slug(name_key(m.names[0], rules))}"
        if target not in index.entities:
            index.add_entity(CanonicalEntity(id=target, name=m.names[0], type=m.type or "ORG",
                                             aliases=[], kb_id=m.kb_id))
        for n in m.names:
            index.register(n, target)
            index.forced[name_key(n, rules)] = target
    return index


def gazetteer_seeds(data_dir: str | Path | None = None) -> list[CanonicalEntity]:
    """The NLP gazetteer's entries as known entities, so names without a kb_id still reach them.

    Read with nlp.resources (plain JSON lines) rather than nlp.gazetteer, which
    imports spaCy: linking should not pay for a pipeline it does not run.
    """
    try:
        from nlp.config import DEFAULT_DATA_DIR
        from nlp.resources import read_jsonl
    except ImportError:  # the NLP package is optional for linking
        return []
    out = []
    for path in sorted((Path(data_dir or DEFAULT_DATA_DIR) / "gazetteer").glob("*.jsonl")):
        for row in read_jsonl(str(path)):
            weak = set(row.get("weak_aliases", []))
            aliases = [a for a in dict.fromkeys(row.get("aliases", [])) if a not in weak and a != row["name"]]
            out.append(CanonicalEntity(id=row["id"], name=row["name"], type=row["type"],
                                       aliases=aliases, kb_id=row["id"]))
    return out


# -- linking ----------------------------------------------------------------

def link_entities(forms: Iterable[MentionForm], index: EntityIndex,
                  name_vectors: NameVectors | None = None, fuzzy_ratio: float = 0.88,
                  name_cosine: float = 0.60) -> dict[MentionForm, str]:
    """Resolve every distinct mention form to an entity id, growing `index`.

    Deterministic: forms are processed gazetteer ids first, then shortest name
    first (base forms register before their inflections), ties by text.
    Fuzzy spelling matches are made only when `name_vectors` is given.
    """
    rules = index.rules
    forms = list(forms)
    surfaces = Counter(forms)
    distinct = sorted(surfaces, key=lambda f: (f.kb_id is None,
                                                 len(name_key(f.canonical or f.text, rules)),
                                                 f.text, f.label or "", f.canonical or "", f.kb_id or ""))
    resolved: dict[MentionForm, str] = {}
    pending: list[tuple[MentionForm, str]] = []
    for form in distinct:
        eid = _resolve_exact(form, index)
        if eid is None:
            pending.append((form, name_key(form.canonical or form.text, rules)))
            continue
        _attach(index, eid, form)
        resolved[form] = eid
    # near-identical spellings are only looked for where no inflection rule applies
    pending_keys = {k for _, k in pending}
    unexplained = [k for form, k in pending
                   if not any(v in pending_keys or v in index.keys for v in variant_keys(form.text, rules))]
    fuzzy = _fuzzy_targets(unexplained, index, name_vectors, fuzzy_ratio, name_cosine)
    spellings: dict[str, Counter] = defaultdict(Counter)       # key -> surface form counts
    for form, key in pending:
        spellings[key][form.text] += surfaces[form]
    for form, key in pending:   # shortest first: "Nvidia" exists by the time "Nvidias" looks for it
        eid = _resolve_exact(form, index)
        if eid is None and key in fuzzy:
            eid = index.find(fuzzy[key], None)
            if eid is not None and index.vetoed(key, eid):
                eid = None
        if eid is None:
            eid = _create(index, form, key, _best_surface(spellings[key]))
        _attach(index, eid, form)
        resolved[form] = eid
    return resolved


def _resolve_exact(form: MentionForm, index: EntityIndex) -> str | None:
    rules = index.rules
    group = rules.group(form.label) if form.label else None
    key = name_key(form.canonical or form.text, rules)
    text_key = name_key(form.text, rules)
    if text_key in index.forced:
        return index.forced[text_key]
    if form.kb_id and not index.vetoed(text_key, form.kb_id):
        if form.kb_id not in index.entities:
            index.add_entity(CanonicalEntity(id=form.kb_id, name=form.canonical or form.text,
                                             type=form.label or "ORG", kb_id=form.kb_id))
            index.changed.add(form.kb_id)
        return form.kb_id
    for k in dict.fromkeys([key, text_key]):
        eid = index.find(k, group)
        if eid and not index.vetoed(text_key, eid):
            return eid
    for k in variant_keys(form.text, rules):
        eid = index.find(k, group)
        if eid and not index.vetoed(text_key, eid) and not index.vetoed(k, eid):
            return eid
    return None


def _best_surface(spellings: Counter) -> str | None:
    """The name a new entity is shown with: its most frequent spelling, mixed case preferred."""
    if not spellings:
        return None
    return min(spellings, key=lambda t: (-spellings[t], t.isupper() or t.islower(), t))


def _create(index: EntityIndex, form: MentionForm, key: str, name: str | None = None) -> str:
    group = index.rules.group(form.label)
    eid = f"{group}:{slug(key) or slug(form.text.casefold())}"
    if eid not in index.entities:
        index.add_entity(CanonicalEntity(id=eid, name=form.canonical or name or form.text,
                                         type=form.label or "ORG"))
        index.changed.add(eid)
    return eid


def _attach(index: EntityIndex, eid: str, form: MentionForm) -> None:
    """Remember the surface form as an alias (and as a key leading to the entity)."""
    entity = index.entities[eid]
    index.used.add(eid)
    for name in (form.text, form.canonical):
        if name and name != entity.name and name not in entity.aliases and len(entity.aliases) < _MAX_ALIASES:
            entity.aliases.append(name)
            entity.aliases.sort()
            index.changed.add(eid)
        if name:
            index.register(name, eid)


def _fuzzy_targets(keys: list[str], index: EntityIndex, name_vectors: NameVectors | None,
                   min_ratio: float, min_cosine: float) -> dict[str, str]:
    """key -> the known (or shorter pending) key it is a near-identical spelling of.

    Blocked by the first three letters. A candidate needs the same digit tokens,
    a similar length and a difflib ratio >= `min_ratio`; the name embeddings
    then have the last word. Two new spellings of one new name are matched to
    the shorter one, which `link_entities` creates first.
    """
    if name_vectors is None:
        return {}
    pending = sorted({k for k in keys if len(k) >= _FUZZY_MIN_LEN})
    pending_set = set(pending)
    pending_by_prefix: dict[str, list[str]] = defaultdict(list)
    for k in pending:
        pending_by_prefix[k[:3]].append(k)
    pairs: list[tuple[str, str, float]] = []
    for key in pending:
        pool = set(index.by_prefix.get(key[:3], ())) | set(pending_by_prefix[key[:3]])
        for other in sorted(pool):
            if other == key or (other in pending_set and (len(other), other) > (len(key), key)):
                continue
            if abs(len(other) - len(key)) > 3 or _digits(other) != _digits(key):
                continue
            if index.aliases.never and frozenset((key, other)) in index.aliases.never:
                continue
            sm = SequenceMatcher(None, key, other, autojunk=False)
            if sm.real_quick_ratio() < min_ratio or sm.quick_ratio() < min_ratio:
                continue
            ratio = sm.ratio()
            if ratio >= min_ratio:
                pairs.append((key, other, ratio))
    if not pairs:
        return {}
    names = sorted({k for p in pairs for k in p[:2]})
    vecs = name_vectors(names)
    row = {n: i for i, n in enumerate(names)}
    best: dict[str, tuple[float, float, str]] = {}
    for key, other, ratio in pairs:
        cos = float(vecs[row[key]] @ vecs[row[other]])
        if cos >= min_cosine and (key not in best or (cos, ratio) > best[key][:2]):
            best[key] = (cos, ratio, other)
    return {key: other for key, (_, _, other) in best.items()}


# -- the entities of a claim ------------------------------------------------

def mention_form(m) -> MentionForm:
    """The linking identity of an nlp.types.EntityMention."""
    return MentionForm(text=m.text, label=m.label, canonical=m.canonical, kb_id=m.kb_id)


def claim_forms(rec) -> list[MentionForm]:
    """Every mention form a claim needs resolved: its sentence's entities and its attributions.

    An attributed name ("laut Jiazi Guangnian") takes the label of a sentence
    entity with the same name; otherwise it has none and becomes an ORG when new.
    """
    c = rec.claim
    forms = [mention_form(e) for e in c.entities]
    return forms + [_attributed_form(name, c.entities) for name in c.attributed_to]


def _attributed_form(name: str, entities) -> MentionForm:
    for e in entities:
        if e.text == name or e.canonical == name:
            return mention_form(e)
    return MentionForm(text=name)


def claim_roles(rec, resolved: dict[MentionForm, str], index: EntityIndex,
                nearby: list[tuple[MentionForm, int, int]] = (), text: str | None = None,
                sources: set[str] = frozenset(), window: int = 300) -> dict[str, str]:
    """entity id -> role (subject | about | mentioned | attributed_to) for one claim.

    "subject": the entity the claim's subject names (the longest entity name
    inside the subject, else a known entity the subject itself names); the other
    sentence entities are then "mentioned". Without one, every sentence entity
    that is not a source is "about": attributed names and media are who says it,
    not what it is about. A sentence naming no entity at all ("Die Entwicklung
    des Modells kostete 5,6 Mio.") is about the entities just before it in the
    nearest sentence before it that names one (`nearby`: the article's mentions
    with offsets; `text`: the article text), at most three -- never a person,
    a medium or an entity the article cites as a source elsewhere (`sources`):
    "wie aus Zahlen des Verbands hervorgeht" names who counted, not what.
    A place named after the number behind a locative preposition ("in US
    history") is only "mentioned" (`_is_setting`).
    """
    c = rec.claim
    attributed = {resolved[_attributed_form(n, c.entities)] for n in c.attributed_to}
    sentence = [(e, resolved[mention_form(e)]) for e in c.entities]
    settings = {eid for e, eid in sentence if _is_setting(e, c, index.rules)}
    candidates = [(e, eid) for e, eid in sentence
                  if eid not in attributed and e.label != "MEDIA" and eid not in settings]
    subject = _subject_entity(c.subject, candidates, index) if c.subject else None
    if subject in settings:
        subject = None
    roles = {eid: "mentioned" for _, eid in sentence}
    roles.update({eid: "attributed_to" for eid in attributed})
    if subject:
        roles[subject] = "subject"
        return roles
    about = [eid for _, eid in candidates]
    if not about and nearby:
        about = _preceding_entities(c.sentence_start, nearby, resolved, attributed | sources, text, window)
    roles.update({eid: "about" for eid in about})
    return roles


def _is_setting(mention, claim, rules: NameRules) -> bool:
    """A place after the number and after a locative preposition: where it happened, not what it is about.

    "Its stock fell 17 % ... in US history" is not about the USA; the sentence
    before ("Nvidia was hit hardest.") says what it is about. A place within the
    few words that name what is measured ("80 Prozent der Kapazität in China")
    is part of it and stays.
    """
    if rules.locative is None or rules.group(mention.label) != "loc":
        return False
    local, qend = mention.start - claim.sentence_start, claim.end - claim.sentence_start
    if local < qend or not rules.locative.search(claim.text[:local]):
        return False
    between = claim.text[qend:local]
    # "80 Prozent der Kapazität in China": the place belongs to what is measured
    return bool(_CLAUSE_BREAK.search(between)) or len(between.split()) > _MEASURED_PHRASE_WORDS


def _preceding_entities(start: int, nearby: list[tuple[MentionForm, int, int]], resolved: dict,
                        exclude: set[str], text: str | None, window: int) -> list[str]:
    """Entities of the nearest sentence before `start` (within `window` chars) that names any."""
    found: list[tuple[int, str]] = []
    for form, m_start, m_end in sorted(nearby, key=lambda x: -x[1]):
        if m_end > start or start - m_start > window:
            continue
        eid = resolved.get(form)
        if not eid or eid in exclude or form.label in _NOT_CONTEXT:
            continue
        distance = len(_SENTENCE_BREAK.findall(text, m_end, start)) if text is not None else 0
        if found and distance > found[0][0]:
            break
        if eid not in [e for _, e in found]:
            found.append((distance, eid))
    return [e for _, e in found[:3]]


def _subject_entity(subject: str, candidates, index: EntityIndex) -> str | None:
    rules = index.rules
    tokens = name_key(subject, rules).split()
    best: tuple[int, int, str] | None = None
    for pos, (e, eid) in enumerate(candidates):
        keys = {name_key(e.text, rules), *variant_keys(e.text, rules)}
        if e.canonical:
            keys.add(name_key(e.canonical, rules))
        for k in keys:
            kt = k.split()
            if kt and _contains(tokens, kt):
                score = (len(kt), -pos, eid)
                if best is None or score > best:
                    best = score
    if best:
        return best[2]
    key = " ".join(tokens)
    for k in [key, *variant_keys(subject, rules)]:
        eid = index.find(k, None)
        if eid:
            return eid
    return None


def _contains(tokens: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(tokens[i:i + n] == part for i in range(len(tokens) - n + 1))


def about_map(claims, index: EntityIndex, name_vectors: NameVectors | None = None,
              fuzzy_ratio: float = 0.88, name_cosine: float = 0.60
              ) -> tuple[dict[str, frozenset[str]], dict[str, dict[str, str]]]:
    """For claims without a record: (claim id -> about-set, claim id -> roles), linking their mentions."""
    forms = [f for rec in claims for f in claim_forms(rec)]
    resolved = link_entities(forms, index, name_vectors, fuzzy_ratio, name_cosine)
    roles = {rec.claim_id: claim_roles(rec, resolved, index) for rec in claims}
    about = {cid: frozenset(e for e, r in rs.items() if r in ("subject", "about")) for cid, rs in roles.items()}
    return about, roles


def default_index(config) -> EntityIndex:
    """A fresh index of the gazetteer and the alias overrides named by a LinkConfig."""
    rules = load_name_rules(config.names_path)
    aliases = load_alias_rules(config.aliases_path, config.names_path)
    return build_index(rules, aliases, seeds=_cached_seeds())


@lru_cache(maxsize=1)
def _cached_seeds() -> tuple[CanonicalEntity, ...]:
    return tuple(gazetteer_seeds())
