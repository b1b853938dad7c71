"""A small, fully known record for the projection, query, lookup and drawing tests.

Four articles from four outlets (German and English) about three facts: the
training cost of DeepSeek V3 (contradicted), the monthly rent of an H100 server
(corroborated, and changed over time) and the share of idle computing capacity
(one outlet copied it from another). Written through graph.store like the
pipeline does; entities, facts and flags are filled directly with what linking
would produce for these texts, so the tests do not depend on linking rules.
Sentences are our own.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graph import store
from graph.record import open_record, transaction
from ingest.types import Document, content_hash
from nlp.types import Analysis, Citation, Claim, EntityMention

EMBEDDING_MODEL = "fixture-vectors"
EMBEDDING_DIM = 384


@dataclass
class ClaimSpec:
    key: str                  # name used by tests
    sentence: str
    span: str
    value: float
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    subject: str | None
    measure: str | None
    measure_key: str | None
    per: str | None = None
    time: str | None = None
    attributed_to: list[str] = field(default_factory=list)
    hedged: bool = False
    entities: list[tuple[str, str, str]] = field(default_factory=list)  # (text, label, entity id)
    conversion_of: str | None = None


@dataclass
class ArticleSpec:
    key: str
    url: str
    source: str
    title: str
    published: str
    lang: str
    claims: list[ClaimSpec]
    citations: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, target, text)
    ai_disclosure: str | None = None
    extra_text: str = ""


ENTITIES = {
    "deepseek": ("DeepSeek", "ORG", ["DeepSeek", "Deepseek"]),
    "nvidia-h100": ("Nvidia H100", "PRODUCT", ["H100", "Nvidia H100"]),
    "semianalysis": ("SemiAnalysis", "ORG", ["SemiAnalysis"]),
    "zhineng-yongxian": ("Zhineng Yongxian", "MEDIA", ["Zhineng Yongxian"]),
    "china": ("China", "LOC", ["China", "Volksrepublik China"]),
}

ARTICLES = [
    ArticleSpec(
        key="a1", url="https://techblatt.example/deepseek-kosten", source="Techblatt",
        title="DeepSeek trainiert billig", published="2025-01-28", lang="de",
        claims=[
            ClaimSpec("a1_train", "Das Start-up DeepSeek hat sein Modell V3 angeblich für 5,6 Millionen "
                      "US-Dollar trainiert.", "5,6 Millionen US-Dollar", 5.6e6, 5.6e6, 5.6e6, "exact",
                      "USD", "DeepSeek", "Trainingskosten", "training_cost", hedged=True,
                      entities=[("DeepSeek", "ORG", "deepseek")]),
            ClaimSpec("a1_hw", "Laut SemiAnalysis gab DeepSeek für Hardware aber über 500 Millionen "
                      "US-Dollar aus.", "über 500 Millionen US-Dollar", 5e8, 5e8, None, "lower_bound",
                      "USD", "DeepSeek", "Ausgaben für Hardware", "spending",
                      attributed_to=["SemiAnalysis"],
                      entities=[("SemiAnalysis", "ORG", "semianalysis"), ("DeepSeek", "ORG", "deepseek")]),
        ],
        citations=[("attribution", "SemiAnalysis", "Laut SemiAnalysis")],
    ),
    ArticleSpec(
        key="a2", url="https://pacificwire.example/deepseek-cost", source="Pacific Wire",
        title="What DeepSeek spent", published="2025-01-30", lang="en",
        claims=[
            ClaimSpec("a2_train", "DeepSeek says the final training run of V3 cost about 6 million dollars.",
                      "about 6 million dollars", 6e6, 5.7e6, 6.3e6, "approx", "USD", "DeepSeek",
                      "training cost", "training_cost", attributed_to=["DeepSeek"],
                      entities=[("DeepSeek", "ORG", "deepseek")]),
            ClaimSpec("a2_rent", "An Nvidia H100 server with eight GPUs now rents for 75,000 yuan per month, "
                      "according to Zhineng Yongxian.", "75,000 yuan", 75000, 75000, 75000, "exact", "CNY",
                      "Nvidia H100", "rental price", "rental_price", per="month", time="now",
                      attributed_to=["Zhineng Yongxian"],
                      entities=[("Nvidia H100", "PRODUCT", "nvidia-h100"),
                                ("Zhineng Yongxian", "MEDIA", "zhineng-yongxian")]),
            ClaimSpec("a2_rent_usd", "That is roughly 10,300 dollars.", "10,300 dollars", 10300, 10300, 10300, "exact",
                      "USD", "Nvidia H100", "rental price", "rental_price", per="month", time="now",
                      conversion_of="a2_rent"),
        ],
        citations=[("link", "https://www.zhineng.example/report/h100", "Zhineng Yongxian")],
    ),
    ArticleSpec(
        key="a3", url="https://marktecho.example/leere-rechenzentren", source="Marktecho",
        title="Leere Rechenzentren", published="2025-02-03", lang="de",
        claims=[
            ClaimSpec("a3_rent", "Die Miete für einen H100-Server mit acht GPUs ist auf 75.000 Yuan pro Monat "
                      "gefallen.", "75.000 Yuan", 75000, 75000, 75000, "exact", "CNY", "Nvidia H100",
                      "Mietpreis", "rental_price", per="month", time="jetzt",
                      entities=[("H100", "PRODUCT", "nvidia-h100")]),
            ClaimSpec("a3_rent_old", "Früher verlangten die Betreiber rund 180.000 Yuan im Monat.",
                      "rund 180.000 Yuan", 180000, 171000, 189000, "approx", "CNY", "Nvidia H100",
                      "Mietpreis", "rental_price", per="month", time="früher"),
            ClaimSpec("a3_idle", "Bis zu 80 Prozent der neuen Rechenkapazitäten in China stehen leer, "
                      "berichten chinesische Medien.", "Bis zu 80 Prozent", 80, None, 80, "upper_bound",
                      "percent", "Rechenkapazitäten in China", "ungenutzte Rechenkapazität",
                      "idle_capacity", attributed_to=["chinesische Medien"],
                      entities=[("China", "LOC", "china")]),
        ],
        citations=[("source_line", "Jiazi Guangnian", "Quelle: Jiazi Guangnian")],
    ),
    ArticleSpec(
        key="a4", url="https://copyblog.example/ki-blase", source="Copyblog",
        title="Platzt die KI-Blase?", published="2025-02-05", lang="de",
        claims=[
            ClaimSpec("a4_idle", "Bis zu 80 Prozent der neuen Rechenkapazitäten in China stehen leer.",
                      "Bis zu 80 Prozent", 80, None, 80, "upper_bound", "percent",
                      "Rechenkapazitäten in China", "ungenutzte Rechenkapazität", "idle_capacity",
                      entities=[("China", "LOC", "china")]),
            ClaimSpec("a4_train", "Das Training von DeepSeek soll nur 12 Millionen US-Dollar gekostet haben.",
                      "12 Millionen US-Dollar", 12e6, 12e6, 12e6, "exact", "USD", "DeepSeek",
                      "Trainingskosten", "training_cost", hedged=True,
                      entities=[("DeepSeek", "ORG", "deepseek")]),
        ],
        citations=[("source_line", "Marktecho", "Quelle: Marktecho")],
        ai_disclosure="Dieser Text wurde mit Hilfe von KI erstellt.",
    ),
]

# fact key -> (member claim keys, verdict, first claim key, subject, measure_key, unit)
FACTS = {
    "f_train": (["a1_train", "a2_train", "a4_train"], "contradictory", "a1_train", "DeepSeek",
                "training_cost", "USD"),
    "f_hw": (["a1_hw"], "single", "a1_hw", "DeepSeek", "spending", "USD"),
    "f_rent": (["a2_rent", "a2_rent_usd", "a3_rent", "a3_rent_old"], "changed_over_time", "a2_rent",
               "Nvidia H100", "rental_price", "CNY"),
    "f_idle": (["a3_idle", "a4_idle"], "consistent", "a3_idle", "Rechenkapazitäten in China",
               "idle_capacity", "percent"),
}

# (flag key, kind, severity, reason, claim a, claim b, article a, article b, fact, data)
FLAGS = [
    ("fl_contra_1", "contradiction", "high", "5.6 M USD vs 12 M USD for the same training run",
     "a4_train", "a1_train", "a4", "a1", "f_train", {}),
    ("fl_contra_2", "contradiction", "medium", "about 6 M USD vs 12 M USD", "a4_train", "a2_train",
     "a4", "a2", "f_train", {}),
    ("fl_corr_1", "corroboration", "info", "5.6 M and about 6 M USD agree", "a1_train", "a2_train",
     "a1", "a2", "f_train", {}),
    ("fl_corr_2", "corroboration", "info", "both report 75,000 CNY a month", "a3_rent", "a2_rent",
     "a3", "a2", "f_rent", {}),
    ("fl_change", "change_over_time", "low", "180,000 CNY earlier, 75,000 CNY now", "a3_rent_old",
     "a3_rent", "a3", "a3", "f_rent", {}),
    ("fl_hedged", "hedged", "low", "stated with 'angeblich'", "a1_train", None, "a1", None, "f_train", {}),
    ("fl_copy", "copy", "medium", "repeats a sentence of Marktecho", None, None, "a4", "a3", None,
     {"similarity": 0.82}),
    ("fl_ai", "ai_generated", "info", "the article says it was written with AI", None, None, "a4", None,
     None, {}),
]


@dataclass
class Fixture:
    conn: object
    article_ids: dict[str, str]
    claim_ids: dict[str, str]
    fact_ids: dict[str, str]
    flag_ids: dict[str, str]
    source_ids: dict[str, str]


def article_text(spec: ArticleSpec) -> str:
    sentences = list(dict.fromkeys(c.sentence for c in spec.claims))
    return spec.title + "\n" + " ".join(sentences) + spec.extra_text


def document(spec: ArticleSpec, text: str | None = None) -> Document:
    text = text if text is not None else article_text(spec)
    return Document(
        url=spec.url, canonical_url=spec.url, source=spec.source, title=spec.title, author=None,
        published=spec.published, language=spec.lang, text=text, content_hash=content_hash(text),
        fetched_at=spec.published + "T08:00:00+00:00",
    )


def analysis(spec: ArticleSpec, text: str) -> Analysis:
    claims: list[Claim] = []
    keys = [c.key for c in spec.claims]
    mentions: dict[tuple[int, int], EntityMention] = {}
    for c in spec.claims:
        s_start = text.index(c.sentence)
        q_start = s_start + c.sentence.index(c.span) if c.span in c.sentence else text.index(c.span)
        ents = []
        for name, label, _eid in c.entities:
            e_start = s_start + c.sentence.index(name)
            m = EntityMention(text=name, label=label, start=e_start, end=e_start + len(name),
                              canonical=ENTITIES[_eid][0], kb_id=_eid)
            ents.append(m)
            mentions[(m.start, m.end)] = m
        claims.append(Claim(
            text=c.sentence, start=q_start, end=q_start + len(c.span), span=c.span, value=c.value,
            low=c.low, high=c.high, qualifier=c.qualifier, unit=c.unit, per=c.per, subject=c.subject,
            measure=c.measure, measure_key=c.measure_key, entities=ents, time=c.time,
            attributed_to=c.attributed_to, hedged=c.hedged, lang=spec.lang,
            sentence_index=0, sentence_start=s_start,
            conversion_of=keys.index(c.conversion_of) if c.conversion_of else None,
        ))
    citations = [Citation(kind=k, target=t, text=x, start=max(0, text.find(x))) for k, t, x in spec.citations]
    return Analysis(lang=spec.lang, claims=claims, mentions=list(mentions.values()),
                    citations=citations, ai_disclosure=spec.ai_disclosure)


def build_record(path: Path, vectors: dict[str, np.ndarray] | None = None) -> Fixture:
    """The fixture record at `path`; `vectors` (claim key -> vector) default to seeded random ones."""
    conn = open_record(path)
    article_ids, claim_ids = {}, {}
    for spec in ARTICLES:
        text = article_text(spec)
        doc = document(spec, text)
        aid, _ = store.save_document(conn, doc)
        article_ids[spec.key] = aid
        ids = store.save_analysis(conn, aid, doc.content_hash, analysis(spec, text))
        claim_ids.update(zip([c.key for c in spec.claims], ids))
    source_ids = {spec.key: store.source_id_for(spec.source) for spec in ARTICLES}
    fact_ids = {k: f"fact-{k[2:]}" for k in FACTS}
    flag_ids = {f[0]: f"flag-{f[0][3:]}" for f in FLAGS}
    write_links(conn, article_ids, claim_ids, fact_ids, flag_ids)
    write_vectors(conn, claim_ids, vectors)
    return Fixture(conn, article_ids, claim_ids, fact_ids, flag_ids, source_ids)


def write_links(conn, article_ids, claim_ids, fact_ids, flag_ids) -> None:
    """What linking would store: entities, claim roles, mention links, facts and flags."""
    with transaction(conn):
        for eid, (name, etype, aliases) in ENTITIES.items():
            conn.execute("INSERT OR REPLACE INTO entities(id, name, type, aliases) VALUES (?,?,?,?)",
                         (eid, name, etype, json.dumps(aliases)))
        conn.execute("UPDATE mentions SET entity_id = kb_id")
        for spec in ARTICLES:
            for c in spec.claims:
                if c.key not in claim_ids:
                    continue
                cid = claim_ids[c.key]
                for name, _label, eid in c.entities:
                    roles = {"attributed_to"} if name in c.attributed_to else set()
                    if not roles or ENTITIES[eid][0] == c.subject:
                        roles.add("about")   # "DeepSeek says DeepSeek's training cost ..."
                    for role in sorted(roles):
                        conn.execute("INSERT OR IGNORE INTO claim_entities VALUES (?,?,?)", (cid, eid, role))
        for fk, (members, verdict, first, subject, mkey, unit) in FACTS.items():
            present = [m for m in members if m in claim_ids]
            if not present:
                continue
            conn.execute(
                "INSERT OR REPLACE INTO facts(id, subject, measure_key, unit, verdict, first_claim_id) "
                "VALUES (?,?,?,?,?,?)",
                (fact_ids[fk], subject, mkey, unit, verdict, claim_ids.get(first)))
            for m in present:
                conn.execute("INSERT OR IGNORE INTO fact_members VALUES (?,?)", (fact_ids[fk], claim_ids[m]))
        for key, kind, sev, reason, ca, cb, aa, ab, fact, data in FLAGS:
            if (ca and ca not in claim_ids) or (cb and cb not in claim_ids):
                continue
            conn.execute(
                "INSERT OR REPLACE INTO flags(id, kind, severity, reason, claim_a, claim_b, article_a, "
                "article_b, fact_id, data) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (flag_ids[key], kind, sev, reason, claim_ids.get(ca), claim_ids.get(cb),
                 article_ids.get(aa), article_ids.get(ab), fact_ids.get(fact), json.dumps(data)))


def write_vectors(conn, claim_ids: dict[str, str], vectors: dict[str, np.ndarray] | None) -> None:
    """Store one vector per claim in the embeddings cache and point the claims at it."""
    rng = np.random.default_rng(7)
    with transaction(conn):
        for key in sorted(claim_ids):
            vec = vectors[key] if vectors else rng.standard_normal(EMBEDDING_DIM).astype(np.float32)
            vec = (vec / np.linalg.norm(vec)).astype("<f4")
            vkey = f"fixture:{key}"
            conn.execute("INSERT OR REPLACE INTO embeddings(key, model, dim, vector) VALUES (?,?,?,?)",
                         (vkey, EMBEDDING_MODEL, EMBEDDING_DIM, vec.tobytes()))
            conn.execute("UPDATE claims SET embedding_key = ?, embedding_model = ? WHERE id = ?",
                         (vkey, EMBEDDING_MODEL, claim_ids[key]))


def reanalyze(fx: Fixture, article_key: str, new_sentence: str, span: str, value: float) -> str:
    """Replace an article's text with one new claim (as a re-crawl + NLP run would); return its id."""
    spec = next(a for a in ARTICLES if a.key == article_key)
    new = ArticleSpec(key=spec.key, url=spec.url, source=spec.source, title=spec.title,
                      published=spec.published, lang=spec.lang, claims=[ClaimSpec(
                          f"{article_key}_new", new_sentence, span, value, value, value, "exact", "USD",
                          "DeepSeek", "Trainingskosten", "training_cost",
                          entities=[("DeepSeek", "ORG", "deepseek")] if "DeepSeek" in new_sentence else [])])
    text = article_text(new)
    doc = document(new, text)
    aid, needs = store.save_document(fx.conn, doc)
    assert needs
    (cid,) = store.save_analysis(fx.conn, aid, doc.content_hash, analysis(new, text))
    return cid
