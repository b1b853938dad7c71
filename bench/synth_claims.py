"""Synthetic articles and claims for timing the cross-article stage (graph/link.py).

A fixed "world" (entities, measures, true facts; the same for every seed, so a
batch added later talks about the facts already in the record) and, per call,
articles that report those facts the way news does: German and English
sentences, rounded and bounded figures ("rund 5,6 Mio. Euro", "up to $80
billion"), currencies with conversions, hedged and attributed claims, a share
of contradicting figures and of figures for another time, copied paragraphs and
AI-disclosure lines. Subjects, measure keys or entities are missing on a share
of claims, as from a real NLP stage. Claims come as nlp.types.Analysis objects,
stored like the pipeline stores them (graph.store).

    python -m bench.synth_claims --claims 100000 --out /tmp/synth.db
    python -m bench.synth_claims --claims 1000 --out /tmp/synth.db --seed 8 --offset 100000
"""
from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterator

from ingest.types import Document, content_hash
from nlp.types import Analysis, Citation, Claim, EntityMention, Sentence

WORLD_SEED = 20250329
N_ORGS, N_PRODUCTS, N_PLACES, N_PEOPLE, N_MEDIA, N_OUTLETS = 1800, 700, 400, 500, 150, 300
N_MEASURES = 300
N_FACTS = 25_000
KB_SHARE = 0.4               # entities the gazetteer would know (kb_id set)

_SYLLABLES = ("ka", "vo", "ra", "tel", "lix", "mo", "ne", "zu", "an", "ter", "sol", "vi", "dar", "qu",
              "in", "ox", "el", "um", "bra", "cor", "fen", "gal", "hy", "jor", "kel", "lum", "mir", "nor",
              "pel", "ros", "sen", "tor", "ul", "ven", "wex", "yar", "zen", "ast", "bel", "cin")
_ORG_TAILS = ("", "", "", " Systems", " Group", " AG", " Technologies", " Capital", " Energy", " Labs")
_MEASURES = (
    # (de, en, family, low, high) -- magnitudes in the family's base unit
    ("Umsatz", "revenue", "money", 1e6, 5e11), ("Investitionen", "investment", "money", 1e6, 5e11),
    ("Kosten", "costs", "money", 1e4, 1e10), ("Gewinn", "profit", "money", 1e5, 1e11),
    ("Verlust", "loss", "money", 1e5, 1e11), ("Börsenwert", "market value", "money", 1e8, 3e12),
    ("Preis", "price", "money", 10, 1e6), ("Miete", "rent", "money", 100, 1e6),
    ("Fördermittel", "subsidies", "money", 1e6, 1e10), ("Schulden", "debt", "money", 1e6, 1e12),
    ("Marktanteil", "market share", "percent", 0.5, 60), ("Auslastung", "utilization", "percent", 5, 99),
    ("Wachstum", "growth", "percent", 0.5, 80), ("Rendite", "return", "percent", 0.5, 30),
    ("Leerstand", "vacancy", "percent", 1, 90), ("Quote", "rate", "percent", 0.5, 50),
    ("Mitarbeiter", "employees", "count", 10, 500_000), ("Nutzer", "users", "count", 1000, 1e9),
    ("Rechenzentren", "data centres", "count", 1, 2000), ("Projekte", "projects", "count", 1, 5000),
    ("Chips", "chips", "count", 100, 1e7), ("Kunden", "customers", "count", 100, 1e8),
    ("Patente", "patents", "count", 5, 50_000), ("Standorte", "sites", "count", 1, 800),
    ("Leistung", "capacity", "gw", 0.05, 40), ("Emissionen", "emissions", "tonnes", 1e3, 1e8),
    ("Strecke", "route length", "km", 5, 5000),
)
_MEASURE_MODS = (("", ""), ("geplante ", "planned "), ("jährliche ", "annual "), ("gesamte ", "total "),
                 ("neue ", "new "), ("durchschnittliche ", "average "), ("bisherige ", "previous "),
                 ("weltweite ", "global "), ("monatliche ", "monthly "), ("zusätzliche ", "additional "),
                 ("europäische ", "European "), ("chinesische ", "Chinese "))
_CURRENCIES = (("USD", 0.5), ("EUR", 0.25), ("CNY", 0.15), ("GBP", 0.05), ("JPY", 0.05))
_USD_PER = {"USD": 1.0, "EUR": 1.08, "CNY": 0.139, "GBP": 1.27, "JPY": 0.0067}
_CUR_WORDS = {
    "de": {"USD": "US-Dollar", "EUR": "Euro", "CNY": "Yuan", "GBP": "Pfund", "JPY": "Yen"},
    "en": {"USD": "dollars", "EUR": "euros", "CNY": "yuan", "GBP": "pounds", "JPY": "yen"},
}
_UNIT_WORDS = {"de": {"percent": "Prozent", "gw": "Gigawatt", "tonnes": "Tonnen", "km": "Kilometer", "count": ""},
               "en": {"percent": "%", "gw": "gigawatts", "tonnes": "tonnes", "km": "kilometres", "count": ""}}
_SCALES = {"de": ((1e12, "Billionen"), (1e9, "Mrd."), (1e6, "Mio.")),
           "en": ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))}
_QUALIFIER_WORDS = {
    "de": {"approx": ("rund", "etwa", "knapp", "ungefähr"), "upper_bound": ("bis zu", "weniger als", "höchstens"),
           "lower_bound": ("mehr als", "über", "mindestens")},
    "en": {"approx": ("about", "around", "roughly", "nearly"), "upper_bound": ("up to", "less than", "at most"),
           "lower_bound": ("more than", "over", "at least")},
}
_TIME_WORDS = {"de": {"now": "derzeit", "past": "früher"}, "en": {"now": "currently", "past": "previously"}}
_HEDGES = {"de": "angeblich", "en": "reportedly"}
_FILLER = {   # filler sentences are drawn from parts, so two articles rarely share a word run
    "de": (("Die Branche", "Analysten", "Beobachter", "Ein Sprecher", "Händler", "Investoren", "Fachleute",
            "Mehrere Anbieter", "Die Konkurrenz", "Verbände"),
           ("rechnen mit", "erwarten", "beobachten", "verweisen auf", "sprechen von", "warnen vor",
            "bestätigen", "bezweifeln"),
           ("weiteren Veränderungen", "einer Erholung", "steigenden Preisen", "sinkender Nachfrage",
            "neuen Projekten", "strengeren Regeln", "einer Konsolidierung", "höheren Kosten"),
           ("im laufenden Jahr.", "in den kommenden Monaten.", "bis auf Weiteres.", "vor allem in Asien.",
            "auch in Europa.", "trotz aller Unsicherheit.", "nach den jüngsten Zahlen.", "ohne Details zu nennen.")),
    "en": (("The industry", "Analysts", "Observers", "A spokesperson", "Traders", "Investors", "Experts",
            "Several suppliers", "Competitors", "Trade groups"),
           ("expect", "point to", "warn of", "talk about", "confirm", "doubt", "are watching", "see"),
           ("further changes", "a recovery", "rising prices", "weaker demand", "new projects", "stricter rules",
            "consolidation", "higher costs"),
           ("this year.", "in the coming months.", "for now.", "especially in Asia.", "in Europe as well.",
            "despite the uncertainty.", "after the latest figures.", "without giving details.")),
}
_ASIDES = {   # one of these (or none) in each claim sentence: outlets rarely word a figure identically
    "de": ("", "", "insgesamt", "demnach", "unterm Strich", "den Unterlagen zufolge", "nach Branchenangaben",
           "im Kern", "rechnerisch", "nach ersten Auswertungen", "laut Geschäftsbericht", "in Summe"),
    "en": ("", "", "in total", "overall", "on paper", "by most counts", "according to filings",
           "in all", "so far as reported", "by its own count", "per the annual report", "all told"),
}
_TEMPLATES = {
    "de": ("{lead}{measure} von {name}{rel} liegt{when}{hedge} bei {body}.",
           "{name}{rel} meldet{when}{hedge} {body} für {measure}{src_tail}.",
           "Für {measure} von {name}{rel} werden{when}{hedge} {body} genannt{src_tail}.",
           "{lead}beträgt {measure} bei {name}{rel}{when}{hedge} {body}."),
    "en": ("{lead}{name}'s {measure}{rel} is{when}{hedge} {body}.",
           "{name}{rel} reported {measure} of {body}{when}{hedge}{src_tail}.",
           "{lead}the {measure} of {name}{rel}{hedge} came to {body}{when}.",
           "For {name}{rel}, {measure} stands at {body}{when}{hedge}{src_tail}."),
}


def _filler(rng: random.Random, lang: str) -> str:
    return " ".join(rng.choice(part) for part in _FILLER[lang])


@dataclass(frozen=True)
class Ent:
    name: str
    label: str
    kb_id: str | None


@dataclass(frozen=True)
class Measure:
    key: str
    de: str
    en: str
    family: str
    low: float
    high: float
    per: str | None


@dataclass(frozen=True)
class Fact:
    subject: Ent
    measure: Measure
    value: float              # in the family base unit (USD for money)
    currency: str | None
    time_key: str | None
    related: tuple[Ent, ...]  # other entities the sentence tends to name


@dataclass(frozen=True)
class World:
    orgs: tuple[Ent, ...]
    products: tuple[Ent, ...]
    places: tuple[Ent, ...]
    people: tuple[Ent, ...]
    media: tuple[Ent, ...]
    outlets: tuple[str, ...]
    measures: tuple[Measure, ...]
    facts: tuple[Fact, ...]
    fact_weights: tuple[float, ...]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _entities(rng: random.Random, n: int, label: str, make) -> tuple[Ent, ...]:
    seen, out = set(), []
    while len(out) < n:
        name = make()
        if name in seen:
            continue
        seen.add(name)
        slug = name.lower().replace(" ", "-")
        out.append(Ent(name, label, f"syn-{slug}" if rng.random() < KB_SHARE else None))
    return tuple(out)


@lru_cache(maxsize=1)
def world() -> World:
    """The fixed world every batch reports on (independent of the batch seed)."""
    rng = random.Random(WORLD_SEED)
    orgs = _entities(rng, N_ORGS, "ORG", lambda: _word(rng, rng.choice((2, 3))) + rng.choice(_ORG_TAILS))
    products = _entities(rng, N_PRODUCTS, "PRODUCT",
                         lambda: f"{rng.choice(orgs).name.split()[0]} {rng.choice('XKQVTZ')}{rng.randint(1, 999)}")
    places = _entities(rng, N_PLACES, "LOC", lambda: _word(rng, rng.choice((2, 3))) + rng.choice(("", "ia", "en", "land")))
    people = _entities(rng, N_PEOPLE, "PER", lambda: f"{_word(rng, 2)} {_word(rng, 3)}")
    media = _entities(rng, N_MEDIA, "MEDIA", lambda: _word(rng, 2) + rng.choice((" News", " Post", " Daily", "24", " Times")))
    outlets = tuple(dict.fromkeys(_word(rng, 2) + rng.choice((" Online", " Magazin", " Review", " Wire", " Zeitung", " Tech"))
                                  for _ in range(N_OUTLETS * 2)))[:N_OUTLETS]
    measures = []
    for i in range(N_MEASURES):
        de, en, family, low, high = _MEASURES[i % len(_MEASURES)]
        mod_de, mod_en = _MEASURE_MODS[(i // len(_MEASURES)) % len(_MEASURE_MODS)]
        per = "month" if (family == "money" and de in ("Miete", "Preis") and i % 3 == 0) else None
        key = f"{(mod_en.strip() + '_' if mod_en.strip() else '')}{en}".lower().replace(" ", "_")
        measures.append(Measure(key, f"{mod_de}{de}".strip(), f"{mod_en}{en}".strip(), family, low, high, per))
    measures = tuple(dict((m.key, m) for m in measures).values())
    subjects = orgs + products + places
    facts = []
    for _ in range(N_FACTS):
        m = rng.choice(measures)
        value = math.exp(rng.uniform(math.log(m.low), math.log(m.high)))
        currency = _pick(rng, _CURRENCIES) if m.family == "money" else None
        roll = rng.random()
        time_key = None if roll < 0.6 else (str(rng.choice((2023, 2024, 2025))) if roll < 0.9
                                            else rng.choice(("now", "past")))
        related = tuple(rng.sample(subjects, rng.choice((0, 1, 1, 2))))
        facts.append(Fact(rng.choice(subjects), m, value, currency, time_key, related))
    weights = tuple(1.0 / (i + 10) ** 0.9 for i in range(N_FACTS))   # a few facts are reported often
    return World(orgs, products, places, people, media, outlets, measures, tuple(facts), weights)


def _pick(rng: random.Random, weighted) -> str:
    r, acc = rng.random(), 0.0
    for item, w in weighted:
        acc += w
        if r < acc:
            return item
    return weighted[-1][0]


# -- writing numbers as a journalist would -------------------------------------------------------

def _round_sig(x: float, sig: int) -> float:
    if x == 0:
        return 0.0
    return round(x, -int(math.floor(math.log10(abs(x)))) + sig - 1)


def _number(x: float, lang: str) -> str:
    if x >= 1000 and float(x).is_integer():
        s = f"{int(x):,}"
        return s.replace(",", ".") if lang == "de" else s
    s = f"{x:.6g}"
    return s.replace(".", ",") if lang == "de" else s


def _amount(value: float, unit: str, family: str, lang: str) -> str:
    """"5,6 Mio. Euro", "$5.6 million", "75.000 Yuan", "80 Prozent", "12,000 users"."""
    for limit, word in _SCALES[lang]:
        if abs(value) >= limit:
            num = f"{_number(_round_sig(value / limit, 3), lang)} {word}"
            break
    else:
        num = _number(value, lang)
    if family == "money":
        if lang == "en" and unit == "USD":
            return f"${num}"
        if lang == "en" and unit == "EUR":
            return f"€{num}"
        return f"{num} {_CUR_WORDS[lang][unit]}"
    word = _UNIT_WORDS[lang].get(unit, unit)
    if unit == "percent" and lang == "en":
        return f"{num}%"
    return f"{num} {word}".strip()


# -- claims --------------------------------------------------------------------------------------

@dataclass
class _Stated:
    sentence: str
    spans: list[tuple[str, float, float | None, float | None, str, str, int | None]]  # span, value, low, high, qualifier, unit, conv
    subject: str | None
    measure: Measure
    mk: str | None
    entities: list[tuple[str, Ent]]     # (surface form, entity)
    time: str | None
    time_key: str | None
    attributed: list[str]
    hedged: bool


def _state(rng: random.Random, w: World, fact: Fact, lang: str) -> _Stated:
    m = fact.measure
    value, time_key = fact.value, fact.time_key
    roll = rng.random()
    if roll < 0.07:                                   # a contradicting figure
        factor = rng.uniform(2.5, 10)
        value = value * factor if rng.random() < 0.5 else value / factor
    elif roll < 0.10:                                 # the figure at another time
        time_key = rng.choice(("now", "past", "2023", "2024", "2025"))
        value *= rng.uniform(0.3, 3)
    qualifier = _pick(rng, (("exact", 0.55), ("approx", 0.25), ("upper_bound", 0.1), ("lower_bound", 0.1)))
    if qualifier == "upper_bound":
        value *= rng.uniform(1.0, 1.3)
    elif qualifier == "lower_bound":
        value *= rng.uniform(0.75, 1.0)
    unit = fact.currency if m.family == "money" else ("count" if m.family == "count" else m.family)
    if m.family == "percent":
        value = min(value, 99.0)
    stated = value / _USD_PER[unit] if m.family == "money" else value
    stated = _round_sig(stated, rng.choice((1, 2, 2, 3)))
    if m.family == "count" and stated >= 1:
        stated = float(round(stated))
    words = _QUALIFIER_WORDS[lang].get(qualifier)
    prefix = f"{rng.choice(words)} " if words else ""
    span = prefix + _amount(stated, unit, m.family, lang)
    low, high = {"exact": (stated, stated), "approx": (stated * 0.95, stated * 1.05),
                 "upper_bound": (None, stated), "lower_bound": (stated, None)}[qualifier]
    spans = [(span, stated, low, high, qualifier, unit, None)]
    if m.family == "money" and unit != "USD" and rng.random() < 0.1:   # "200.000 Yuan (ca. 28.000 Dollar)"
        usd = _round_sig(stated * _USD_PER[unit], 2)
        conv = ("ca. " if lang == "de" else "about ") + _amount(usd, "USD", "money", lang)
        spans.append((conv, usd, usd * 0.95, usd * 1.05, "approx", "USD", 0))
    hedged = rng.random() < 0.05
    attributed = [rng.choice(w.media + w.orgs).name] if rng.random() < 0.3 else []
    time = None
    if time_key in ("now", "past"):
        time = _TIME_WORDS[lang][time_key]
    elif time_key:
        time = f"im Jahr {time_key}" if lang == "de" else f"in {time_key}"
    subj = fact.subject
    name = subj.name
    if lang == "de" and subj.label == "ORG" and rng.random() < 0.15:
        name += "s"                                   # genitive: "Kavoras"
    elif rng.random() < 0.1:
        name = name.upper()
    measure_word = m.de if lang == "de" else m.en
    per = (" pro Monat" if lang == "de" else " a month") if m.per else ""
    body = f"{spans[0][0]} ({spans[1][0]}){per}" if len(spans) > 1 else f"{spans[0][0]}{per}"
    aside = rng.choice(_ASIDES[lang])
    hedge = (f" {_HEDGES[lang]}" if hedged else "") + (f" {aside}" if aside else "")
    joiner = " und " if lang == "de" else " and "
    rel = ((" neben " if lang == "de" else " alongside ") + joiner.join(e.name for e in fact.related)
           if fact.related else "")
    when = f" {time}" if time else ""
    src = attributed[0] if attributed else None
    lead = (f"Laut {src} " if lang == "de" else f"According to {src}, ") if src else ""
    src_tail = ((f", berichtet {src}" if lang == "de" else f", according to {src}") if src else "")
    template = rng.choice(_TEMPLATES[lang])
    if "{lead}" not in template:
        lead = ""
    elif src:
        src_tail = ""
    sentence = template.format(lead=lead, measure=measure_word, name=name, rel=rel, when=when, hedge=hedge,
                               body=body, src_tail=src_tail)
    sentence = sentence[0].upper() + sentence[1:]
    if src and src not in sentence:
        attributed = []
    entities = [] if rng.random() < 0.03 else [(name, subj)] + [(e.name, e) for e in fact.related]
    return _Stated(
        sentence=sentence, spans=spans, subject=None if rng.random() < 0.1 else subj.name, measure=m,
        mk=None if rng.random() < 0.05 else m.key, entities=entities, time=time, time_key=time_key,
        attributed=attributed, hedged=hedged,
    )


def _article(rng: random.Random, w: World, number: int, day: date, lang: str, n_claims: int,
             copy_from: tuple[str, str] | None) -> tuple[Document, Analysis, str]:
    outlet = rng.choice(w.outlets)
    facts = rng.choices(w.facts, weights=w.fact_weights, k=n_claims)
    parts: list[str] = [f"{'Neue Zahlen' if lang == 'de' else 'New figures'}: {facts[0].subject.name}"]
    stated = []
    for fact in facts:
        st = _state(rng, w, fact, lang)
        stated.append(st)
        parts.append(" ".join([st.sentence] + [_filler(rng, lang) for _ in range(rng.randint(0, 2))]))
    if copy_from and copy_from[1] == lang:
        parts.insert(2, copy_from[0])
    disclosure = None
    if rng.random() < 0.01:
        disclosure = ("Dieser Text wurde automatisch mit Hilfe künstlicher Intelligenz erstellt." if lang == "de"
                      else "This article was generated automatically by an AI system.")
        parts.append(disclosure)
    source_line = None
    if rng.random() < 0.1:
        media = rng.choice(w.media).name
        source_line = (media, f"{'Quelle' if lang == 'de' else 'Source'}: {media}")
        parts.append(source_line[1])
    text = "\n".join(parts)
    citations = []
    if source_line:
        citations.append(Citation("source_line", source_line[0], source_line[1], text.rindex(source_line[1])))
    claims, mentions, sentences = [], {}, []
    for i, st in enumerate(stated):
        s_start = text.index(st.sentence)
        sentences.append(Sentence(s_start, s_start + len(st.sentence), st.sentence))
        ems = []
        for surface, e in st.entities:
            local = st.sentence.find(surface)
            if local < 0:
                continue
            em = EntityMention(surface, e.label, s_start + local, s_start + local + len(surface),
                               e.name if e.kb_id else None, e.kb_id)
            ems.append(em)
            mentions[(em.start, em.end)] = em
        first = len(claims)
        for span, value, low, high, qualifier, unit, conv in st.spans:
            local = st.sentence.index(span)
            claims.append(Claim(
                text=st.sentence, start=s_start + local, end=s_start + local + len(span), span=span,
                value=value, low=low, high=high, qualifier=qualifier, unit=unit, per=st.measure.per,
                subject=st.subject, measure=st.measure.de if lang == "de" else st.measure.en,
                measure_key=st.mk, entities=ems, time=st.time, attributed_to=list(st.attributed),
                hedged=st.hedged, lang=lang, sentence_index=i, sentence_start=s_start,
                conversion_of=first + conv if conv is not None else None, time_key=st.time_key,
            ))
    url = f"https://{outlet.lower().replace(' ', '-')}.example/{day.isoformat()}/a{number}"
    doc = Document(url=url, canonical_url=url, source=outlet, title=parts[0], author=None,
                   published=day.isoformat(), language=lang, text=text, content_hash=content_hash(text),
                   fetched_at=f"{day.isoformat()}T12:00:00+00:00")
    analysis = Analysis(lang=lang, sentences=sentences, mentions=sorted(mentions.values(), key=lambda m: m.start),
                        claims=claims, citations=citations, ai_disclosure=disclosure)
    return doc, analysis, parts[1]


def generate(n_claims: int, seed: int = 0, offset: int = 0) -> Iterator[tuple[Document, Analysis]]:
    """Articles (Document, Analysis) holding about `n_claims` claims in all (conversions included).

    `offset` numbers the articles (use the number of claims already stored when
    adding a batch, so URLs do not collide); dates run forward with `offset`
    so later batches are published later.
    """
    w = world()
    rng = random.Random(seed * 1_000_003 + offset)
    start = date(2023, 1, 1) + timedelta(days=(offset // 60) % 1000)
    made, number = 0, offset
    recent: list[tuple[str, str]] = []
    while made < n_claims:
        lang = "de" if rng.random() < 0.6 else "en"
        k = min(rng.randint(3, 8), n_claims - made)
        day = start + timedelta(days=(number - offset) // 60 + rng.randint(0, 3))
        copy_from = rng.choice(recent) if recent and rng.random() < 0.03 else None
        doc, analysis, paragraph = _article(rng, w, number, day, lang, k, copy_from)
        recent = (recent + [(paragraph, lang)])[-50:]
        made += len(analysis.claims)
        number += 1
        yield doc, analysis


def write(path: str, n_claims: int, seed: int = 0, offset: int = 0) -> dict:
    """Store a batch in the record at `path` (created if needed); counts and seconds."""
    from graph import store
    from graph.record import open_record

    conn = open_record(path)
    started = time.perf_counter()
    articles = claims = 0
    for doc, analysis in generate(n_claims, seed, offset):
        article_id, _ = store.save_document(conn, doc)
        store.save_analysis(conn, article_id, doc.content_hash, analysis)
        articles += 1
        claims += len(analysis.claims)
    conn.close()
    return {"articles": articles, "claims": claims, "seconds": round(time.perf_counter() - started, 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="number of claims to generate")
    parser.add_argument("--out", required=True, help="record file to write into (created if absent)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--offset", type=int, default=0, help="first article number (for added batches)")
    args = parser.parse_args(argv)
    print(write(args.out, args.claims, args.seed, args.offset))


if __name__ == "__main__":
    main()
