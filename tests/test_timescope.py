"""Time expressions (surface + normalized key) and which number each one scopes."""
from __future__ import annotations

import pytest

from nlp.config import DEFAULT_DATA_DIR
from nlp.timescope import assign_times, find_time_expressions, load_time_rules


def exprs(text, lang):
    return [(t.text, t.key) for t in find_time_expressions(text, load_time_rules(str(DEFAULT_DATA_DIR), lang))
            if not t.baseline]


@pytest.mark.parametrize("text,expected", [
    ("Zwischen 2023 und 2024 entstanden viele Anlagen.", [("Zwischen 2023 und 2024", "2023..2024")]),
    ("In den Jahren 2019 und 2021 gab es Rückgänge.", [("In den Jahren 2019 und 2021", "2019,2021")]),
    ("Seit 2017 fördert der Staat die Technik.", [("Seit 2017", "2017..")]),
    ("Bis 2029 sollen alle Werke stehen.", [("Bis 2029", "..2029")]),
    ("Bis Ende 2027 fallen Stellen weg.", [("Bis Ende 2027", "..2027-end")]),
    ("Ende 2024 waren 150 Anlagen in Betrieb.", [("Ende 2024", "2024-end")]),
    ("Anfang 2025 lud die Regierung ein.", [("Anfang 2025", "2025-start")]),
    ("Im Januar 2025 begann der Verkauf.", [("Im Januar 2025", "2025-01")]),
    ("Am 27. Januar brach der Kurs ein.", [("Am 27. Januar", "--01-27")]),
    ("Im dritten Quartal 2024 sank der Gewinn.", [("Im dritten Quartal 2024", "2024-Q3")]),
    ("Im vergangenen Jahr flossen 70 Mrd. Dollar.", [("Im vergangenen Jahr", "last_year")]),
    ("In den nächsten drei Jahren fließen 50 Mrd.", [("In den nächsten drei Jahren", "next_3_years")]),
    ("Diesen Monat sammelten Firmen Geld ein.", [("Diesen Monat", "this_month")]),
    ("An einem einzigen Tag verlor die Aktie 17 Prozent.", [("An einem einzigen Tag", "single_day")]),
    ("Früher kostete die Miete mehr, jetzt weniger.", [("Früher", "past"), ("jetzt", "now")]),
    ("Derzeit liegt der Preis niedrig.", [("Derzeit", "now")]),
    ("Die Firma wurde 2023 gegründet.", [("2023", "2023")]),
    ("Der Konzern beschäftigt 2000 Mitarbeiter.", []),
    ("Die Quote lag höher als 2021.", []),
    ("Seit Jahresbeginn fiel der Kurs.", [("Seit Jahresbeginn", "ytd")]),
    ("Vor einigen Wochen brach der Markt ein.", [("Vor einigen Wochen", "some_weeks_ago")]),
    # a date inside an attributive participle dates the participle, not the clause
    ("Das am 20. Januar vorgestellte Modell kostete 5 Mio. Euro.", []),
    ("Das erst 2023 gegründete Start-up hat 90 Mitarbeiter.", []),
    ("Die Preise lagen 3 Prozent über dem Niveau des Vorjahres.", []),
])
def test_german_expressions(text, expected):
    assert exprs(text, "de") == expected


@pytest.mark.parametrize("text,expected", [
    ("Revenue doubled in 2024.", [("in 2024", "2024")]),
    ("The plan runs by 2029.", [("by 2029", "..2029")]),
    ("Output grew last year.", [("last year", "last_year")]),
    ("Profit fell in Q3 2024.", [("in Q3 2024", "2024-Q3")]),
    ("Prices have risen since 2019.", [("since 2019", "2019..")]),
    ("It will be built by the end of 2026.", [("by the end of 2026", "..2026-end")]),
    ("The chip previously sold for more; now it is cheaper.", [("previously", "past"), ("now", "now")]),
    ("Sales rose over the next three years.", [("over the next three years", "next_3_years")]),
    ("Prices stayed below last year's level.", []),
    ("Prices rose 3% compared with the same period a year earlier.", []),
    ("Sales fell in the quarter.", [("in the quarter", "the_quarter")]),
])
def test_english_expressions(text, expected):
    assert exprs(text, "en") == expected


def scopes(text, lang, spans):
    rules = load_time_rules(str(DEFAULT_DATA_DIR), lang)
    found = find_time_expressions(text, rules)
    pos = [(text.index(s), text.index(s) + len(s)) for s in spans]
    return [t.text if t else None for t in assign_times(text, found, pos, rules)]


@pytest.mark.parametrize("text,lang,spans,expected", [
    # a scope before the numbers governs all of them
    ("Der Absatz fiel im Mai um 4 Prozent auf 80.000 Autos.", "de", ["4 Prozent", "80.000"], ["im Mai", "im Mai"]),
    # a clause-final scope governs the clause
    ("Exports fell 3% to $900 million in the second quarter.", "en", ["3%", "$900 million"],
     ["in the second quarter", "in the second quarter"]),
    # a scope right before another number is not the earlier number's
    ("Ein Server mit acht Karten kostet jetzt 7.000 Euro.", "de", ["acht", "7.000 Euro"], [None, "jetzt"]),
    # the earlier value of a comparison keeps its own time
    ("Profit rose to $2 billion from $1.5 billion a year earlier.", "en", ["$2 billion", "$1.5 billion"],
     [None, "a year earlier"]),
    ("Der Konzern verdiente 3 Mrd. Euro, nach 2 Mrd. Euro im Vorjahr.", "de", ["3 Mrd. Euro", "2 Mrd. Euro"],
     [None, "im Vorjahr"]),
    # a following clause inherits the scope, unless contrastive
    ("Im Jahr 2024 wuchs der Umsatz um 5 Prozent, der Gewinn um 2 Prozent.", "de", ["5 Prozent", "2 Prozent"],
     ["Im Jahr 2024", "Im Jahr 2024"]),
    ("Zwischen 2023 und 2024 starteten 400 Projekte, doch 60 Prozent stehen still.", "de",
     ["400", "60 Prozent"], ["Zwischen 2023 und 2024", None]),
    # a relative clause keeps its time to itself
    ("The firm, which was valued at $3 billion last year, now seeks $500 million.", "en",
     ["$3 billion", "$500 million"], ["last year", "now"]),
    ("The firm, which was valued at $3 billion last year, seeks $500 million.", "en",
     ["$3 billion", "$500 million"], ["last year", None]),
    # a point in time wins over a duration before the same number
    ("Damals verlor die Firma an einem Tag 300 Mrd. Dollar.", "de", ["300 Mrd. Dollar"], ["Damals"]),
])
def test_assign_times(text, lang, spans, expected):
    assert scopes(text, lang, spans) == expected


# -- graph.timescope: which normalized scopes can be told apart ---------------------------------------

@pytest.mark.parametrize("a,b,coincide", [
    ("1985..", "now", True),            # "seit 1985" runs until today
    ("1985..", "2022", True),
    ("2023..", "2021", False),          # a range opened later does not hold an earlier year
    ("past", "1989..1997", True),       # "zuvor" cannot be placed against a year
    ("past", "now", False),
    ("1979", "..2015", False),
    ("2023", "2024", False),
    ("now", "now", True),
])
def test_scopes_that_may_hold_one_moment(a, b, coincide):
    from graph.timescope import may_coincide
    assert may_coincide(a, b) is coincide
    assert may_coincide(b, a) is coincide


def test_only_calendar_scopes_name_a_year():
    from graph.timescope import names_a_year
    assert names_a_year("2023") and names_a_year("2024-Q3") and names_a_year("1989..1997")
    assert not names_a_year("past") and not names_a_year("now") and not names_a_year(None)
