"""The cross-article stage over the record: entities, facts, flags, provenance.

`link_record` reads what the NLP stage stored (via graph.store) and writes
entities, claim_entities, mentions.entity_id, facts, fact_members and flags.

Incremental and idempotent: an article is linked when its analyzed text, or
the rules it was linked under (`graph.link_config.rules_signature`), differ
from those it was last linked at (table link_state). Only its claims
are compared with the rest (by blocks, never all pairs), only the facts they
join are re-judged, only rows whose content changes are written, and every
id is derived from content (entity: kb id or normalized name; fact: its
earliest member claim; flag: kind + claim or article ids). Re-running over
unchanged data therefore changes nothing, and adding an article leaves every
other fact's id as it was.
"""
from __future__ import annotations

import functools
import gc
import json
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from graph.contradictions import implied_article_rates, judge_fact
from graph.copies import ArticleRef, candidate_pairs, judge_pair, shingle
from graph.embeddings import Embedder, embed_texts
from graph.entity_linking import (
    EntityIndex, MentionForm, build_index, claim_forms, claim_roles, gazetteer_seeds, link_entities,
    load_alias_rules, load_name_rules, name_key,
)
from graph.claim_features import ClaimFeatures, RoleFeatures, base_value, claim_context, role_features
from graph.facts import cluster, components, fact_id_for, summarize, things_about
from graph.link_config import LinkConfig, rules_signature
from graph.link_types import CanonicalEntity, CopyLink, FactGroup, Flag
from graph.provenance import (
    ChainBuilder, DerivedIndex, ai_flag, copy_flag, first_reporter, hedged_flag, provenance_graph,
    resolve_citation,
)
from graph.rates import RateTable, load_rates
from graph.record import transaction
from graph.store import conversion_links, load_claim_records, now_iso
from graph.timescope import ends_before, load_time_words, time_scope
from graph.types import ClaimRecord
from graph.units import load_units

Progress = Callable[[str, int, int], None]

_IN_CHUNK = 500
# The subject entity is stored twice: as "subject" (what grouping keys on) and as
# "about" (what every consumer of claim_entities reads as "the claim is about").
_ROLE_ROWS = {"subject": ("subject", "about")}
_EXAMPLES = 6
_MAX_CHAINS = 100
_FLAG_COLUMNS = "id, kind, severity, reason, claim_a, claim_b, article_a, article_b, fact_id, data"
# how facts.data and flags.data are written (sorted keys: equal data, equal text), one encoder for
# all rows: `json.dumps` with options builds a new one per call, a third of its time on small rows
_DATA_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, check_circular=False)


@dataclass
class LinkReport:
    """What a linking run did, and what the record holds afterwards."""

    articles_linked: int = 0
    claims_linked: int = 0
    claims_total: int = 0
    entities: int = 0
    entities_new: int = 0
    facts: int = 0
    facts_touched: int = 0
    contradictions: int = 0
    corroborations: int = 0
    changes: int = 0
    copies: int = 0
    ai_generated: int = 0
    hedged: int = 0
    embeddings_computed: int = 0
    embeddings_cached: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


def _without_cycle_collection(fn):
    """Run `fn` with Python's cycle collector paused (restored afterwards).

    Linking holds hundreds of thousands of objects (every claim's features, the
    touched facts' records and flags) and makes no reference cycles worth
    collecting meanwhile; the collector would walk all of them each time the
    heap grows by a quarter, a third of an incremental run at 100,000 claims.
    """
    @functools.wraps(fn)
    def run(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return run


@_without_cycle_collection
def link_record(conn: sqlite3.Connection, config: LinkConfig, progress: Progress | None = None,
                embedder: Embedder | None = None, full: bool = False) -> LinkReport:
    """Link every article that is new or changed since the last run; return what was done.

    When the rules changed since an article was linked (a new version, another
    threshold, an edited data file or another embedding model: `rules_signature`)
    every article is linked again, as with `full=True`: entity ids already in the
    record are kept, facts are regrouped.
    """
    report = LinkReport()
    clock = _Clock(report)
    say = progress or (lambda stage, done, total: None)
    embedder = embedder or Embedder(config.embedding_model, config.batch_size,
                                    precision=config.embedding_precision)
    computed, cached = embedder.computed, embedder.cached
    rates = load_rates(config.rates_path)
    refs, urls = _article_refs(conn)
    signature = rules_signature(config)
    dirty = list(refs) if full else _dirty_articles(conn, signature)
    orphans = _orphaned_facts(conn)
    report.articles_linked = len(dirty)
    records = _RecordCache(conn)

    say("entities", 0, len(dirty))
    index = _entity_index(conn, config)
    roles, report.entities_new = _link_entities(conn, config, index, records, dirty, embedder)
    clock.lap("entities")

    say("copies", 0, len(dirty))
    _link_copies(conn, config, refs, dirty)
    clock.lap("copies")

    say("facts", 0, len(dirty))
    touched, features = _link_facts(conn, config, records, dirty, orphans, embedder, rates)
    report.claims_linked = len(records.dirty_claims)
    report.facts_touched = len(touched)
    clock.lap("facts")

    say("flags", 0, len(touched))
    _judge(conn, config, touched, features, records, refs, urls, index, rates, roles)
    _article_flags(conn, refs, urls, records, dirty)
    _mark_linked(conn, dirty, signature)
    clock.lap("flags")

    report.embeddings_computed = embedder.computed - computed
    report.embeddings_cached = embedder.cached - cached
    _fill_counts(conn, report)
    say("done", len(dirty), len(dirty))
    return report


class _Clock:
    def __init__(self, report: LinkReport):
        self.report, self.t = report, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.report.seconds[name] = round(now - self.t, 3)
        self.t = now


def _chunks(seq: list, n: int = _IN_CHUNK) -> Iterable[list]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# -- what needs linking -----------------------------------------------------

def _article_refs(conn: sqlite3.Connection) -> tuple[dict[str, ArticleRef], dict[str, str]]:
    """Analyzed articles in ingestion order (rowid), and each one's URL."""
    refs, urls = {}, {}
    for row in conn.execute(
        """SELECT a.rowid AS rank, a.id, a.url, a.published, s.name AS source FROM articles a
           JOIN sources s ON s.id = a.source_id WHERE a.status = 'analyzed' ORDER BY a.rowid"""
    ):
        refs[row["id"]] = ArticleRef(row["id"], row["source"], row["published"], row["rank"])
        urls[row["id"]] = row["url"]
    return refs, urls


# what an article was linked at: its analyzed text, the NLP rules that analyzed it (a
# re-analysis under newer rules keeps the text's hash) and the linking rules (one parameter)
_LINK_STAMP = "{a}analyzed_hash || ':' || coalesce({a}analyzed_rules, '') || ':' || ?"


def _dirty_articles(conn: sqlite3.Connection, signature: str) -> list[str]:
    """Analyzed articles not linked yet, re-analyzed since, or linked under other rules.

    When the rules changed, every article is returned: all are linked again.
    """
    return [r[0] for r in conn.execute(
        f"""SELECT a.id FROM articles a LEFT JOIN link_state l ON l.article_id = a.id
           WHERE a.status = 'analyzed'
             AND (l.content_hash IS NULL OR l.content_hash != {_LINK_STAMP.format(a="a.")})
           ORDER BY a.rowid""", (signature,))]


def _orphaned_facts(conn: sqlite3.Connection) -> list[str]:
    """Facts that lost members since they were judged (articles re-analyzed or deleted)."""
    return [r[0] for r in conn.execute(
        """SELECT f.id FROM facts f LEFT JOIN fact_members m ON m.fact_id = f.id GROUP BY f.id
           HAVING COUNT(m.claim_id) != COALESCE(json_extract(f.data, '$.size'), -1)""")]


class _RecordCache:
    """ClaimRecords loaded on demand (graph.store.load_claim_records): whole articles
    for the articles being linked, single claims for the partners they meet.

    Why single claims: a new claim that joins a fact reported by 700 articles
    needs those 700 claims, not the 4,000 claims of their articles.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.by_claim: dict[str, ClaimRecord] = {}
        self.loaded: set[str] = set()
        self.dirty_claims: list[str] = []

    def load_articles(self, article_ids: Iterable[str]) -> list[ClaimRecord]:
        article_ids = list(article_ids)
        todo = sorted(set(article_ids) - self.loaded)
        for chunk in _chunks(todo):
            for rec in load_claim_records(self.conn, chunk):
                self.by_claim[rec.claim_id] = rec
            self.loaded.update(chunk)
        wanted = set(article_ids)
        return [r for r in self.by_claim.values() if r.article_id in wanted]

    def get(self, claim_ids: Iterable[str]) -> list[ClaimRecord]:
        claim_ids = list(claim_ids)
        for chunk in _chunks(sorted({c for c in claim_ids if c not in self.by_claim})):
            for rec in load_claim_records(self.conn, claim_ids=chunk):
                self.by_claim[rec.claim_id] = rec
        return [self.by_claim[c] for c in claim_ids]


# -- entities ---------------------------------------------------------------

def _entity_index(conn: sqlite3.Connection, config: LinkConfig) -> EntityIndex:
    rules = load_name_rules(config.names_path)
    aliases = load_alias_rules(config.aliases_path, config.names_path)
    existing = [CanonicalEntity(id=r["id"], name=r["name"], type=r["type"], aliases=json.loads(r["aliases"]),
                                kb_id=None) for r in conn.execute("SELECT * FROM entities ORDER BY id")]
    seeds = gazetteer_seeds()
    seed_ids = {s.id for s in seeds}
    for e in existing:   # entities that came from the gazetteer keep counting as such
        if e.id in seed_ids:
            e.kb_id = e.id
    return build_index(rules, aliases, existing=existing, seeds=seeds)


def _link_entities(conn: sqlite3.Connection, config: LinkConfig, index: EntityIndex,
                   records: _RecordCache, dirty: list[str], embedder: Embedder
                   ) -> tuple[dict[str, dict[str, str]], int]:
    """Resolve the dirty articles' mentions and claim entities; write entities and their uses.

    Returns the claims' entity roles and the number of entities new to the record.
    Entities nothing refers to any more (their articles changed or went) are removed.
    """
    recs = records.load_articles(dirty)
    records.dirty_claims = [r.claim_id for r in recs]
    mentions = []
    for chunk in _chunks(dirty):
        mentions += conn.execute(
            f"""SELECT article_id, start, end, text, label, canonical, kb_id FROM mentions
                WHERE article_id IN ({_marks(len(chunk))})""", chunk).fetchall()
    forms = [MentionForm(m["text"], m["label"], m["canonical"], m["kb_id"]) for m in mentions]
    forms += [f for rec in recs for f in claim_forms(rec)]
    names = (lambda texts: embed_texts(conn, embedder, texts, config.commit_every))
    resolved = link_entities(forms, index, names, config.name_fuzzy_ratio, config.name_cosine)
    nearby: dict[str, list[tuple[MentionForm, int, int]]] = defaultdict(list)
    for form, m in zip(forms, mentions):
        nearby[m["article_id"]].append((form, m["start"], m["end"]))
    texts = _article_texts(conn, dirty)
    sources: dict[str, set[str]] = defaultdict(set)       # entities each article cites as a source
    for rec in recs:
        sources[rec.article_id].update(resolved[f] for f in claim_forms(rec)[len(rec.claim.entities):])
    roles = {rec.claim_id: claim_roles(rec, resolved, index, nearby[rec.article_id], texts.get(rec.article_id),
                                       sources[rec.article_id])
             for rec in recs}
    in_db = {r[0] for r in conn.execute("SELECT id FROM entities")}
    write = sorted(e for e in index.used if e not in in_db or e in index.changed)
    with transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO entities(id, name, type, aliases) VALUES (?,?,?,?)",
            [(e.id, e.name, e.type, json.dumps(e.aliases, ensure_ascii=False))
             for e in (index.entities[i] for i in write)],
        )
        conn.executemany(
            "UPDATE mentions SET entity_id = ? WHERE article_id = ? AND start = ? AND end = ?",
            [(resolved[f], m["article_id"], m["start"], m["end"]) for f, m in zip(forms, mentions)],
        )
        for chunk in _chunks(records.dirty_claims):
            conn.execute(f"DELETE FROM claim_entities WHERE claim_id IN ({_marks(len(chunk))})", chunk)
        conn.executemany(
            "INSERT OR IGNORE INTO claim_entities(claim_id, entity_id, role) VALUES (?,?,?)",
            [(cid, eid, r) for cid, rs in roles.items() for eid, role in sorted(rs.items())
             for r in _ROLE_ROWS.get(role, (role,))],
        )
        conn.execute("""DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions
                            WHERE entity_id IS NOT NULL)
                        AND id NOT IN (SELECT entity_id FROM claim_entities)""")
    return roles, len(set(index.used) - in_db)


def _article_texts(conn: sqlite3.Connection, article_ids: list[str]) -> dict[str, str]:
    texts = {}
    for chunk in _chunks(article_ids):
        for r in conn.execute(f"SELECT id, text FROM articles WHERE id IN ({_marks(len(chunk))})", chunk):
            texts[r["id"]] = r["text"]
    return texts


# -- copies -----------------------------------------------------------------

def _link_copies(conn: sqlite3.Connection, config: LinkConfig, refs: dict[str, ArticleRef],
                 dirty: list[str]) -> list[CopyLink]:
    """Fingerprint the dirty articles, find their copy partners, replace their copy flags."""
    if not dirty:
        return []
    texts = _article_texts(conn, dirty)
    prints = {aid: shingle(t, config.shingle_words).fingerprints(config.fingerprint_mod)
              for aid, t in texts.items()}
    with transaction(conn):
        for chunk in _chunks(dirty):
            conn.execute(f"DELETE FROM copy_fingerprints WHERE article_id IN ({_marks(len(chunk))})", chunk)
        conn.executemany("INSERT OR IGNORE INTO copy_fingerprints(hash, article_id) VALUES (?,?)",
                         [(h, aid) for aid in dirty for h in sorted(prints[aid])])
    all_hashes = sorted({h for fp in prints.values() for h in fp})
    index: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(all_hashes):
        for h, aid in conn.execute(
                f"SELECT hash, article_id FROM copy_fingerprints WHERE hash IN ({_marks(len(chunk))})", chunk):
            index[h].append(aid)
    pairs = candidate_pairs(prints, index, dirty, config)
    texts.update(_article_texts(conn, sorted({b for _, b in pairs} - set(texts))))
    links, seen, cache = [], set(), {}
    for a, b in pairs:
        key = frozenset((a, b))
        if key in seen or a not in refs or b not in refs:
            continue
        seen.add(key)
        link = judge_pair(refs[a], refs[b], texts, config, cache)
        if link:
            links.append(link)
    with transaction(conn):
        for chunk in _chunks(dirty):
            marks = _marks(len(chunk))
            conn.execute(f"""DELETE FROM flags WHERE kind = 'copy'
                             AND (article_a IN ({marks}) OR article_b IN ({marks}))""", chunk + chunk)
        _insert_flags(conn, [copy_flag(l, refs) for l in links])
    return links


# -- facts ------------------------------------------------------------------

@dataclass
class _Features:
    feats: list[ClaimFeatures]
    scopes: dict[str, str | None]
    names: dict[str, str]          # entity id -> normalized name
    role_keys: dict[str, str]      # claim id -> its entity roles (`_role_keys`)


@dataclass
class _Touched:
    """A fact whose membership this run created or changed."""

    fact_id: str
    claim_ids: list[str]
    features: list[ClaimFeatures]       # in `claim_ids` order


def _load_features(conn: sqlite3.Connection, config: LinkConfig, rates: RateTable) -> _Features:
    """Every claim's grouping features, in ingestion order, from plain columns (no JSON).

    This reads the whole record on every run, so rows come as plain tuples and
    what many claims share (a unit's family and rate, a time phrase's scope on
    one day) is worked out once.
    """
    units = load_units(config.units_path)
    words = load_time_words(config.time_words_path)
    rules = load_name_rules(config.names_path)
    names, places = {}, set()
    for eid, name, etype in conn.execute("SELECT id, name, type FROM entities"):
        names[eid] = name_key(name, rules)
        if rules.group(etype) == "loc":
            places.add(eid)
    role_keys = _role_keys(conn)
    entity_by_name = {key: eid for eid, key in sorted(names.items())}
    publishers = {sid: entity_by_name.get(name_key(name, rules))
                  for sid, name in conn.execute("SELECT id, name FROM sources")}
    families: dict[str, str] = {}
    to_base: dict[str, float] = {}      # unit -> factor to its family's base unit (`base_value` of 1)
    scopes_of: dict[tuple, tuple[str | None, bool]] = {}
    role_memo: dict[str, RoleFeatures] = {}         # many claims share one set of entity roles
    feats, scopes = [], {}
    rows = conn.cursor()
    rows.row_factory = None
    for (cid, article_id, measure_key, unit, per, change, value, conversion_of, stated, time_key, sentence_index,
         hedged, published, source_id, low, high, qualifier, span) in rows.execute(
        """SELECT c.id, c.article_id, c.measure_key, c.unit, c.per, c.change, c.value, c.conversion_of,
                  c.time, c.time_key, c.sentence_index, c.hedged, a.published, a.source_id,
                  c.low, c.high, c.qualifier, c.span
           FROM claims c JOIN articles a ON a.id = c.article_id
           WHERE a.status = 'analyzed' ORDER BY a.rowid, c.idx"""
    ):
        if unit not in families:
            families[unit] = units.family(unit)
            to_base[unit] = base_value(1.0, unit, units, rates.usd_per_unit)
        when = (stated, time_key, published)
        if when not in scopes_of:
            scope = time_scope(stated, time_key, published, words)
            scopes_of[when] = scope, bool(stated) and ends_before(scope, published, published)
        scope, earlier = scopes_of[when]
        key = role_keys.get(cid, "")
        r = role_memo.get(key)
        if r is None:
            r = role_memo[key] = role_features(_parse_roles(key), places)
        feats.append(ClaimFeatures(
            claim_id=cid, article_id=article_id, measure_key=measure_key,
            family=families[unit], per=per, change=change, subject=r.subject, context=r.context,
            value=value * to_base[unit], sentence=(article_id, sentence_index),
            scope=scope, conversion_of=conversion_of, sources=r.sources,
            publisher=publishers.get(source_id), hedged=bool(hedged), places=r.places,
            timed=bool(stated), earlier=earlier,
            written=(unit, value, low, high, qualifier, span),
        ))
        scopes[cid] = scope
    return _Features(feats, scopes, names, role_keys)


def _role_keys(conn: sqlite3.Connection) -> dict[str, str]:
    """claim id -> its entity roles as one string, "entity\x1frole" pairs joined by "\x1e"
    (`_parse_roles` reads it).

    One row per claim, in the primary key's order, so claims that hold the same
    roles have the same string: the key under which they share one RoleFeatures.
    """
    rows = conn.cursor()
    rows.row_factory = None
    return dict(rows.execute(
        """SELECT claim_id, group_concat(entity_id || char(31) || role, char(30))
           FROM claim_entities GROUP BY claim_id"""))


def _parse_roles(key: str) -> dict[str, str]:
    """{entity id: role} of a `_role_keys` string; "subject" wins over the "about" row
    stored beside it (`_ROLE_ROWS`)."""
    roles: dict[str, str] = {}
    for pair in key.split("\x1e") if key else ():
        eid, role = pair.split("\x1f")
        if roles.get(eid) != "subject":
            roles[eid] = role
    return roles


def _link_facts(conn: sqlite3.Connection, config: LinkConfig, records: _RecordCache, dirty: list[str],
                orphans: list[str], embedder: Embedder, rates: RateTable
                ) -> tuple[list[_Touched], _Features]:
    """Group dirty claims into facts; write facts and the members that changed; drop facts that
    no longer exist.

    Returns the touched facts (created or changed) and every claim's features (none when
    nothing is dirty: an unchanged record is not read).
    """
    if not dirty and not orphans:
        return [], _Features([], {}, {}, {})
    f = _load_features(conn, config, rates)
    feats = f.feats
    pos = {x.claim_id: i for i, x in enumerate(feats)}
    old_rows = [tuple(r) for r in conn.execute("SELECT claim_id, fact_id FROM fact_members")]
    old_fact = dict(old_rows)
    dirty_set = set(dirty)
    dirty_idx = {i for i, x in enumerate(feats) if x.article_id in dirty_set}
    orphan_set = set(orphans)
    dirty_idx |= {pos[c] for c, fid in old_fact.items() if fid in orphan_set and c in pos}
    initial: dict[str, list[int]] = defaultdict(list)
    for c, fid in old_fact.items():
        i = pos.get(c)
        if i is not None and i not in dirty_idx:
            initial[fid].append(i)

    def vectors(indices: list[int]) -> np.ndarray:
        recs = records.get([feats[i].claim_id for i in indices])
        texts = [claim_context(r, [e.canonical or e.text for e in r.claim.entities]) for r in recs]
        return embed_texts(conn, embedder, texts, config.commit_every)

    uf = cluster(feats, dirty_idx, vectors, config, initial.values(), f.names)
    groups = []
    for comp in components(uf, len(feats)):
        if any(i in dirty_idx for i in comp):
            ids = [feats[i].claim_id for i in comp]
            groups.append(_Touched(fact_id_for(ids[0]), ids, [feats[i] for i in comp]))
    new_ids = {g.fact_id for g in groups}
    deleted = ({old_fact[c] for g in groups for c in g.claim_ids if c in old_fact} | orphan_set) - new_ids
    stale, fresh = _member_changes(groups, old_rows)
    with transaction(conn):
        for chunk in _chunks(sorted(deleted)):
            conn.execute(f"DELETE FROM facts WHERE id IN ({_marks(len(chunk))})", chunk)
            conn.execute(f"DELETE FROM flags WHERE fact_id IN ({_marks(len(chunk))})", chunk)
        conn.executemany("DELETE FROM fact_members WHERE fact_id = ? AND claim_id = ?", stale)
        # a new fact holds a placeholder until judged; an existing one keeps its row (and its
        # old size, which `_orphaned_facts` catches should judging not finish) until then
        conn.executemany("INSERT OR IGNORE INTO facts(id, verdict, data) VALUES (?, 'single', '{}')",
                         [(g.fact_id,) for g in groups])
        conn.executemany("INSERT OR IGNORE INTO fact_members(fact_id, claim_id) VALUES (?,?)", fresh)
    return groups, f


def _member_changes(groups: list[_Touched], old_rows: list[tuple[str, str]]
                    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(fact, claim) rows to delete and to insert so that each group's fact holds exactly its
    claims and each of them belongs to it alone.

    Only rows that differ are written: a claim joining a fact of 700 members
    writes one row, not 701.
    """
    new = [(g.fact_id, c) for g in groups for c in g.claim_ids]
    fact_ids = {g.fact_id for g in groups}
    claims = {c for g in groups for c in g.claim_ids}
    old = {(fid, cid) for cid, fid in old_rows if fid in fact_ids or cid in claims}
    return sorted(old.difference(new)), [r for r in new if r not in old]


# -- judging and provenance -------------------------------------------------

def _judge(conn: sqlite3.Connection, config: LinkConfig, touched: list[_Touched], features: _Features,
           records: _RecordCache, refs: dict[str, ArticleRef], urls: dict[str, str],
           index: EntityIndex, rates: RateTable, roles: dict[str, dict[str, str]]) -> None:
    """Verdict, flags, first reporter and provenance chains of every touched fact."""
    if not touched:
        return
    all_ids = [c for t in touched for c in t.claim_ids]
    recs = {r.claim_id: r for r in records.get(all_ids)}
    conversions = {k: v for k, v in conversion_links(conn).items() if k in recs and v in recs}
    articles = sorted({r.article_id for r in recs.values()})
    claim_roles_all = _roles_of(features.role_keys, all_ids, roles)
    graph = _provenance(conn, list(recs.values()), articles, refs, urls, index, claim_roles_all)
    derived = DerivedIndex(graph)
    article_rates = implied_article_rates(list(recs.values()), conversions, rates)
    ranks = {a: r.rank for a, r in refs.items()}
    units = load_units(config.units_path)
    chains = ChainBuilder(graph)
    about = {f.claim_id: things_about(f) for t in touched for f in t.features}
    fact_rows, flags = [], []
    for t in touched:
        members = [recs[c] for c in t.claim_ids]
        ids = set(t.claim_ids)
        subject, measure_key, unit = summarize(members)
        g = FactGroup(
            fact_id=t.fact_id, members=members, subject=subject, measure_key=measure_key, unit=unit,
            time_scopes={c: features.scopes[c] for c in t.claim_ids},
            conversions={c: conversions[c] for c in t.claim_ids if conversions.get(c) in ids},
            non_independent=derived.pairs({m.article_id for m in members}),
            about={c: about[c] for c in t.claim_ids},
        )
        verdict, fact_flags = judge_fact(g, rates, config, units, article_rates)
        first = first_reporter(g.members, graph, ranks)
        g.first_claim_id = first.claim_id
        flags.extend(fact_flags)
        fact_rows.append((g.subject, g.measure_key, g.unit, verdict, first.claim_id,
                          _DATA_JSON.encode(_fact_data(g, first, fact_flags, chains)), g.fact_id))
    _write_judgements(conn, [t.fact_id for t in touched], fact_rows, flags)


def _write_judgements(conn: sqlite3.Connection, fact_ids: list[str], fact_rows: list[tuple],
                      flags: list[Flag]) -> None:
    """Store the facts' new rows and flags, writing only what differs from the record.

    The result is that of rewriting every row of these facts; but a fact of
    700 members that gains one keeps most of its flags, and rewriting them
    all would cost more than judging it.
    """
    stored_facts, stored_flags = {}, {}
    rows = conn.cursor()
    rows.row_factory = None         # plain tuples, compared with the new rows as they are
    for chunk in _chunks(fact_ids):
        marks = _marks(len(chunk))
        for r in rows.execute(f"""SELECT subject, measure_key, unit, verdict, first_claim_id, data, id
                                  FROM facts WHERE id IN ({marks})""", chunk):
            stored_facts[r[-1]] = r
        for r in rows.execute(f"SELECT {_FLAG_COLUMNS} FROM flags WHERE fact_id IN ({marks})", chunk):
            stored_flags[r[0]] = r
    new = {row[0]: row for row in map(_flag_row, flags)}
    with transaction(conn):
        for chunk in _chunks(sorted(set(stored_flags) - set(new))):
            conn.execute(f"DELETE FROM flags WHERE id IN ({_marks(len(chunk))})", chunk)
        conn.executemany(
            """UPDATE facts SET subject = ?, measure_key = ?, unit = ?, verdict = ?, first_claim_id = ?,
                   data = ? WHERE id = ?""", [r for r in fact_rows if stored_facts.get(r[-1]) != r])
        _insert_flag_rows(conn, [r for r in new.values() if stored_flags.get(r[0]) != r])


def _fact_data(g: FactGroup, first: ClaimRecord, flags: list[Flag], chains: ChainBuilder) -> dict:
    kinds = Counter(f.kind for f in flags)
    return {
        "size": len(g.members),
        "articles": len({m.article_id for m in g.members}),
        "sources": sorted({m.source for m in g.members}),
        "languages": sorted({m.claim.lang for m in g.members}),
        "first_report": {"claim_id": first.claim_id, "article_id": first.article_id,
                         "source": first.source, "published": first.published, "url": first.url},
        "flags": dict(sorted(kinds.items())),
        "time_scopes": sorted({s for s in g.time_scopes.values() if s}),
        "provenance": {m.claim_id: chains.chain(m.claim_id) for m in g.members[:_MAX_CHAINS]},
    }


def _roles_of(role_keys: dict[str, str], claim_ids: list[str], fresh: dict[str, dict[str, str]]
              ) -> dict[str, dict[str, str]]:
    """claim id -> {entity id: role}: this run's roles (`fresh`), else those the features were
    read with (`_role_keys`); claims without entities map to {}."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for c in claim_ids:
        if c not in fresh and c in role_keys:
            out[c] = _parse_roles(role_keys[c])
    out.update(fresh)
    return out


def _provenance(conn: sqlite3.Connection, recs: list[ClaimRecord], articles: list[str],
                refs: dict[str, ArticleRef], urls: dict[str, str], index: EntityIndex,
                roles: dict[str, dict[str, str]]):
    """The provenance graph of these articles: copies and citations among them and beyond."""
    copies = []
    citations = []
    by_url = {u.split("#")[0].rstrip("/"): a for a, u in urls.items()}
    for r in conn.execute("SELECT id, canonical_url FROM articles"):
        by_url.setdefault(r["canonical_url"].split("#")[0].rstrip("/"), r["id"])
    domains = {r["domain"]: r["name"] for r in conn.execute("SELECT name, domain FROM sources WHERE domain IS NOT NULL")}

    def entity_of(name: str) -> str | None:
        return index.find(name_key(name, index.rules), None)

    for chunk in _chunks(articles):
        marks = _marks(len(chunk))
        for r in conn.execute(
                f"""SELECT article_a, article_b, data FROM flags WHERE kind = 'copy'
                    AND (article_a IN ({marks}) OR article_b IN ({marks}))""", chunk + chunk):
            data = json.loads(r["data"])
            copies.append(CopyLink(r["article_a"], r["article_b"], data.get("similarity", 0.0),
                                   data.get("shared_text", ""), data.get("shared_shingles", 0)))
        for r in conn.execute(f"SELECT article_id, kind, target FROM citations WHERE article_id IN ({marks})", chunk):
            citations.append(resolve_citation(r["article_id"], r["kind"], r["target"], by_url, domains, entity_of))
        for r in conn.execute(f"SELECT article_id, href FROM links WHERE article_id IN ({marks})", chunk):
            citations.append(resolve_citation(r["article_id"], "link", r["href"], by_url, domains, entity_of))
    entity_ids = sorted({e for rs in roles.values() for e, role in rs.items() if role == "attributed_to"})
    names = {}
    for chunk in _chunks(entity_ids):
        names.update(dict(conn.execute(f"SELECT id, name FROM entities WHERE id IN ({_marks(len(chunk))})", chunk)))
    involved = {a: refs[a] for a in set(articles) | {c.article_a for c in copies} | {c.article_b for c in copies}
                if a in refs}
    return provenance_graph(recs, involved, roles, names, copies, citations)


def _article_flags(conn: sqlite3.Connection, refs: dict[str, ArticleRef], urls: dict[str, str],
                   records: _RecordCache, dirty: list[str]) -> None:
    """ai_generated per article that discloses it; hedged per hedged claim (dirty articles only)."""
    flags = []
    dirty_set = set(dirty)
    for chunk in _chunks(dirty):
        for r in conn.execute(
                f"SELECT id, ai_disclosure FROM articles WHERE ai_disclosure IS NOT NULL AND id IN ({_marks(len(chunk))})",
                chunk):
            flags.append(ai_flag(refs[r["id"]], urls[r["id"]], r["ai_disclosure"]))
    flags += [hedged_flag(rec) for rec in records.by_claim.values()
              if rec.article_id in dirty_set and rec.claim.hedged]
    with transaction(conn):
        for chunk in _chunks(dirty):
            conn.execute(f"""DELETE FROM flags WHERE kind IN ('ai_generated', 'hedged')
                             AND article_a IN ({_marks(len(chunk))})""", chunk)
        conn.execute("""DELETE FROM flags WHERE article_a IS NOT NULL
                        AND article_a NOT IN (SELECT id FROM articles)""")
        _insert_flags(conn, flags)


def _mark_linked(conn: sqlite3.Connection, dirty: list[str], signature: str) -> None:
    """Record each article as linked at its analyzed text and NLP rules under these rules
    ("<hash>:<NLP rules>:<signature>")."""
    stamp = now_iso()
    with transaction(conn):
        for chunk in _chunks(dirty):
            conn.execute(
                f"""INSERT OR REPLACE INTO link_state(article_id, content_hash, linked_at)
                    SELECT id, {_LINK_STAMP.format(a="")}, ? FROM articles WHERE id IN ({_marks(len(chunk))})""",
                [signature, stamp, *chunk])


def _insert_flags(conn: sqlite3.Connection, flags: list[Flag]) -> None:
    _insert_flag_rows(conn, [_flag_row(f) for f in flags])


def _insert_flag_rows(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    conn.executemany(f"INSERT OR REPLACE INTO flags({_FLAG_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def _flag_row(f: Flag) -> tuple:
    """The flag as stored (columns `_FLAG_COLUMNS`)."""
    return (f.id, f.kind, f.severity, f.reason, f.claim_a, f.claim_b, f.article_a, f.article_b, f.fact_id,
            _DATA_JSON.encode(f.data))


def _fill_counts(conn: sqlite3.Connection, report: LinkReport) -> None:
    report.claims_total = conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
    report.entities = conn.execute("SELECT COUNT(*) FROM entities").fetchone()[0]
    report.facts = conn.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM flags GROUP BY kind").fetchall())
    report.contradictions = kinds.get("contradiction", 0)
    report.corroborations = kinds.get("corroboration", 0)
    report.changes = kinds.get("change_over_time", 0)
    report.copies = kinds.get("copy", 0)
    report.ai_generated = kinds.get("ai_generated", 0)
    report.hedged = kinds.get("hedged", 0)
    order = {"contradiction": 0, "change_over_time": 1, "copy": 2, "ai_generated": 3, "corroboration": 4,
             "hedged": 5}
    rows = conn.execute(
        """SELECT kind, severity, reason FROM flags WHERE kind IN ('contradiction', 'change_over_time',
               'copy', 'ai_generated') ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1
               ELSE 2 END, id LIMIT 50""").fetchall()
    rows = sorted(rows, key=lambda r: order.get(r["kind"], 9))
    seen_kinds: Counter = Counter()
    for r in rows:
        if seen_kinds[r["kind"]] < 2 and len(report.examples) < _EXAMPLES:
            report.examples.append(f"{r['kind']} ({r['severity']}): {r['reason']}")
            seen_kinds[r["kind"]] += 1
