"""Value comparison within a fact: intervals, rounding, currencies, time scopes, severities."""
from __future__ import annotations

import pytest

from graph.contradictions import claim_interval, implied_article_rates, judge_fact, significant_digits
from graph.link_config import LinkConfig
from graph.link_types import FactGroup
from graph.rates import load_rates
from graph.units import load_units
from link_fixtures import C, Ent, record

CONFIG = LinkConfig()
RATES = load_rates(CONFIG.rates_path)
UNITS = load_units(CONFIG.units_path)
R1 = Ent("R1", "PRODUCT", "deepseek-r1", "DeepSeek-R1")


def group(*specs, scopes=None, conversions=None) -> FactGroup:
    """specs: (source, published, C[, lang[, article id]]); claims get ids c0, c1, ...

    Each claim is in its own article (a0, a1, ...) unless an article id is given.
    """
    members = []
    for i, (source, published, claim, *rest) in enumerate(specs):
        lang = rest[0] if rest else "de"
        article = rest[1] if len(rest) > 1 else f"a{i}"
        members.append(record(f"c{i}", article, source, published, claim, lang))
    return FactGroup(fact_id="f1", members=members, time_scopes=scopes or {},
                     conversions=conversions or {})


def kinds(flags) -> list[str]:
    return sorted(f.kind for f in flags)


CASES = [
    # (name, claims, expected verdict, expected flag kinds)
    ("5.6 M vs 'weniger als 6 Mio.' agree",
     [("boerse.example", "2025-01-27", C("Es kostete 5,6 Mio. Dollar.", "5,6 Mio. Dollar", 5.6e6)),
      ("tech.example", "2025-01-28", C("Es kostete weniger als 6 Mio. Dollar.", "weniger als 6 Mio. Dollar", 6e6,
                                      qualifier="upper_bound"))],
     "consistent", ["corroboration"]),
    ("an exact '6 Mio.' is a rounded 5.6 Mio.",
     [("boerse.example", "2025-01-27", C("Es kostete 5,6 Mio. Dollar.", "5,6 Mio. Dollar", 5.6e6)),
      ("tech.example", "2025-01-28", C("Es kostete 6 Mio. Dollar.", "6 Mio. Dollar", 6e6))],
     "consistent", ["corroboration"]),
    ("'6,0 Mio.' states two digits: not a rounded 5.6 Mio.",
     [("boerse.example", "2025-01-27", C("Es kostete 5,6 Mio. Dollar.", "5,6 Mio. Dollar", 5.6e6)),
      ("tech.example", "2025-01-28", C("Es kostete 6,0 Mio. Dollar.", "6,0 Mio. Dollar", 6e6))],
     "contradictory", ["contradiction"]),
    ("80 % and 'bis zu 80 %' agree",
     [("a.example", "2025-03-05", C("80 Prozent stehen leer.", "80 Prozent", 80, unit="percent")),
      ("b.example", "2025-03-12", C("Bis zu 80 Prozent stehen leer.", "Bis zu 80 Prozent", 80, unit="percent",
                                    qualifier="upper_bound"))],
     "consistent", ["corroboration"]),
    ("200,000 CNY and 28,000 USD agree through the dated rate table",
     [("a.example", "2025-03-05", C("Ein Chip kostete 200.000 Yuan.", "200.000 Yuan", 2e5, unit="CNY")),
      ("b.example", "2025-03-20", C("A chip cost $28,000.", "$28,000", 28000, unit="USD"), "en")],
     "consistent", ["corroboration"]),
    ("mehr als 500 and über 500 agree; a third source says 450",
     [("a.example", "2025-03-05", C("Mehr als 500 Projekte.", "Mehr als 500", 500, unit="count",
                                    qualifier="lower_bound")),
      ("b.example", "2025-03-06", C("Über 500 Projekte.", "Über 500", 500, unit="count", qualifier="lower_bound")),
      ("c.example", "2025-03-07", C("Es sind 450 Projekte.", "450", 450, unit="count"))],
     "contradictory", ["contradiction", "corroboration"]),
]


@pytest.mark.parametrize("name,specs,verdict,expected", CASES, ids=[c[0] for c in CASES])
def test_verdicts(name, specs, verdict, expected):
    got_verdict, flags = judge_fact(group(*specs), RATES, CONFIG)
    assert got_verdict == verdict, [f.reason for f in flags]
    assert kinds(flags) == expected, [f.reason for f in flags]


def test_hedged_low_figure_against_ten_times_higher_is_a_high_contradiction_with_a_readable_reason():
    g = group(
        ("boersenkurier.example", "2025-01-27",
         C("Die Entwicklung von R1 kostete angeblich nur 5,6 Mio. US-Dollar.", "5,6 Mio. US-Dollar", 5.6e6,
           hedged=True, entities=[R1])),
        ("wirtschaftsecho.example", "2025-02-10",
         C("Ein Analyst schätzt die Kosten auf 60 Millionen Dollar.", "60 Millionen Dollar", 6e7)),
    )
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "contradictory"
    (flag,) = [f for f in flags if f.kind == "contradiction"]
    assert flag.severity == "high"          # an order of magnitude apart: hedging does not soften it
    assert "5.6 M USD (hedged)" in flag.reason and "60 M USD" in flag.reason
    assert "do not overlap" in flag.reason and "[5.49e6, 5.71e6]" in flag.reason
    assert {flag.claim_a, flag.claim_b} == {"c0", "c1"} and flag.fact_id == "f1"
    sentences = {c["sentence"] for c in flag.data["claims"]}
    assert "Ein Analyst schätzt die Kosten auf 60 Millionen Dollar." in sentences
    assert {c["source"] for c in flag.data["claims"]} == {"boersenkurier.example", "wirtschaftsecho.example"}


def test_a_near_miss_is_medium_and_hedging_lowers_it():
    plain = group(("a.example", "2025-01-27", C("Es kostete 5,6 Mio. Dollar.", "5,6 Mio. Dollar", 5.6e6)),
                  ("b.example", "2025-01-28", C("Es kostete 6,4 Mio. Dollar.", "6,4 Mio. Dollar", 6.4e6)))
    hedged = group(("a.example", "2025-01-27", C("Es kostete 5,6 Mio. Dollar.", "5,6 Mio. Dollar", 5.6e6,
                                                 hedged=True)),
                   ("b.example", "2025-01-28", C("Es kostete 6,4 Mio. Dollar.", "6,4 Mio. Dollar", 6.4e6)))
    assert [f.severity for f in judge_fact(plain, RATES, CONFIG)[1] if f.kind == "contradiction"] == ["medium"]
    assert [f.severity for f in judge_fact(hedged, RATES, CONFIG)[1] if f.kind == "contradiction"] == ["low"]


def test_now_and_earlier_rents_are_a_change_over_time_not_a_contradiction():
    text = "Die Miete kostet jetzt 75.000 Yuan pro Monat, früher waren es etwa 180.000 Yuan."
    g = group(
        ("chipcode.example", "2025-03-05", C(text, "75.000 Yuan", 75000, unit="CNY", per="month", time="jetzt"),
         "de", "a0"),
        ("chipcode.example", "2025-03-05", C(text, "etwa 180.000 Yuan", 180000, unit="CNY", per="month",
                                             qualifier="approx", time="früher"), "de", "a0"),
        ("ledger.example", "2025-03-25", C("It now rents for 75,000 yuan a month.", "75,000 yuan", 75000, unit="CNY",
                                           per="month", time="now"), "en"),
        ("kiblick.example", "2025-03-20", C("Früher kostete er rund 180.000 Yuan im Monat.", "rund 180.000 Yuan",
                                            180000, unit="CNY", per="month", qualifier="approx")),
        scopes={"c0": "now", "c1": "past", "c2": "now", "c3": None},
    )
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "changed_over_time", [f.reason for f in flags]
    assert "contradiction" not in kinds(flags)
    (change,) = [f for f in flags if f.kind == "change_over_time"]
    assert {change.claim_a, change.claim_b} <= {"c0", "c1", "c2", "c3"}
    assert "different times" in change.reason and "past" in change.reason and "now" in change.reason


def test_a_misprint_within_the_same_time_is_a_contradiction_even_next_to_a_change():
    g = group(
        ("chipcode.example", "2025-03-05", C("Jetzt 75.000 Yuan pro Monat.", "75.000 Yuan", 75000, unit="CNY",
                                             per="month", time="jetzt")),
        ("kiblick.example", "2025-03-20", C("Derzeit 7.500 Yuan pro Monat.", "7.500 Yuan", 7500, unit="CNY",
                                            per="month", time="derzeit")),
        ("ledger.example", "2025-03-25", C("Earlier it was 180,000 yuan a month.", "180,000 yuan", 180000, unit="CNY",
                                           per="month", time="earlier"), "en"),
        scopes={"c0": "now", "c1": "now", "c2": "past"},
    )
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "contradictory"
    (contra,) = [f for f in flags if f.kind == "contradiction"]
    assert {contra.claim_a, contra.claim_b} == {"c0", "c1"} and contra.severity == "high"
    assert "change_over_time" in kinds(flags)


def test_undated_claims_disagreeing_with_each_other_stay_a_contradiction_next_to_a_dated_one():
    g = group(
        ("a.example", "2025-01-27", C("Das Training kostete 5,6 Mio. Dollar.", "5,6 Mio. Dollar", 5.6e6)),
        ("b.example", "2025-01-28", C("Training cost $5.6 million.", "$5.6 million", 5.6e6), "en"),
        ("c.example", "2026-01-16", C("Vor einem Jahr reichten weniger als 6 Mio. Dollar.", "weniger als 6 Mio. Dollar",
                                      6e6, qualifier="upper_bound", time="Vor einem Jahr")),
        ("d.example", "2025-02-10", C("Die Kosten lagen bei 60 Mio. Dollar.", "60 Mio. Dollar", 6e7)),
        scopes={"c2": "2025"},
    )
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "contradictory"
    (contra,) = [f for f in flags if f.kind == "contradiction"]
    assert {contra.claim_a, contra.claim_b} == {"c0", "c3"} and contra.severity == "high"
    corroborated = {frozenset((f.claim_a, f.claim_b)) for f in flags if f.kind == "corroboration"}
    assert frozenset(("c0", "c1")) in corroborated and frozenset(("c2", "c0")) in corroborated


def test_percent_and_percentage_points_are_never_compared():
    g = group(("a.example", "2025-01-01", C("Die Quote stieg um 2 Prozent.", "2 Prozent", 2, unit="percent")),
              ("b.example", "2025-01-02", C("Die Quote stieg um 2 Prozentpunkte.", "2 Prozentpunkte", 2,
                                            unit="percentage_points")),
              ("c.example", "2025-01-03", C("Die Quote stieg um 9 Prozentpunkte.", "9 Prozentpunkte", 9,
                                            unit="percentage_points")))
    _, flags = judge_fact(g, RATES, CONFIG)
    pairs = [{f.claim_a, f.claim_b} for f in flags]
    assert {"c0", "c1"} not in pairs and {"c0", "c2"} not in pairs
    assert [f.kind for f in flags] == ["contradiction"] and pairs == [{"c1", "c2"}]


def test_an_articles_own_conversion_is_the_rate_used_for_its_claims():
    text = "Alibaba will 380 Mrd. Yuan (über 50 Mrd. US-Dollar) investieren."
    orig = C(text, "380 Mrd. Yuan", 3.8e11, unit="CNY")
    conv = C(text, "über 50 Mrd. US-Dollar", 5e10, unit="USD", qualifier="lower_bound")
    members = [record("c0", "a0", "hanse.example", "2025-02-24", orig),
               record("c1", "a0", "hanse.example", "2025-02-24", conv)]
    rates = implied_article_rates(members, {"c1": "c0"}, RATES)
    assert rates["a0"]["CNY"] == pytest.approx(5e10 / 3.8e11)
    other = record("c2", "a2", "ledger.example", "2025-02-25",
                   C("Alibaba pledged more than $50 billion.", "more than $50 billion", 5e10, unit="USD",
                     qualifier="lower_bound"), "en")
    g = FactGroup("f1", members + [other], conversions={"c1": "c0"})
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "consistent"
    assert not any({f.claim_a, f.claim_b} == {"c0", "c1"} and f.kind == "contradiction" for f in flags)
    notes = [c["conversion"] for f in flags for c in f.data["claims"] if c["claim_id"] == "c0"]
    assert notes and all("the article's own conversion" in n for n in notes)


def test_claims_without_time_published_years_apart_are_a_change():
    g = group(("a.example", "2023-02-01", C("Der Konzern hat 26.000 Mitarbeiter.", "26.000", 26000, unit="count")),
              ("b.example", "2025-02-01", C("Der Konzern hat 36.000 Mitarbeiter.", "36.000", 36000, unit="count")))
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "changed_over_time"
    assert "published 731 days apart" in flags[0].reason


def test_a_single_claim_is_single():
    verdict, flags = judge_fact(group(("a.example", "2025-01-01", C("Es sind 5 Mio.", "5 Mio.", 5e6))), RATES, CONFIG)
    assert (verdict, flags) == ("single", [])


@pytest.mark.parametrize("span,digits", [
    ("6 Mio.", 1), ("5,6 Mio.", 2), ("200.000 Yuan", 1), ("$5.6 million", 2), ("7.500 Yuan", 2),
    ("28,000", 2), ("6,0 Mio.", 2), ("1.234,5", 5), ("acht", 1), ("eine halbe Billion", 1), ("17 %", 2),
])
def test_significant_digits(span, digits):
    assert significant_digits(span) == digits


@pytest.mark.parametrize("claim,lo,hi", [
    (C("6 Mio.", "6 Mio.", 6e6), 5.5e6, 6.5e6),                                 # rounded to one digit
    (C("5,6 Mio.", "5,6 Mio.", 5.6e6), 5.6e6 * 0.98, 5.6e6 * 1.02),            # at least the exact tolerance
    (C("bis zu 80 %", "bis zu 80 %", 80, unit="percent", qualifier="upper_bound"), float("-inf"), 81.6),
    (C("weniger als 6 Mio.", "weniger als 6 Mio.", 6e6, qualifier="upper_bound"), 0.0, 6.12e6),
    (C("mehr als 500", "mehr als 500", 500, unit="count", qualifier="lower_bound"), 490.0, float("inf")),
])
def test_claim_intervals(claim, lo, hi):
    got = claim_interval(record("c", "a", "s", None, claim), UNITS, CONFIG)
    assert got == (pytest.approx(lo), pytest.approx(hi))


def test_a_bound_below_zero_is_not_read_from_zero():
    """ "unter -11,5 °C" allows everything below -11.5: it agrees with -12 °C."""
    g = group(("a.example", "2025-01-01", C("Es gefriert unter -11,5 °C.", "unter -11,5 °C", -11.5,
                                            unit="celsius", qualifier="upper_bound")),
              ("b.example", "2025-01-02", C("Bei -12 °C war es gefroren.", "-12 °C", -12.0, unit="celsius")))
    verdict, flags = judge_fact(g, RATES, CONFIG, UNITS)
    assert verdict == "consistent" and kinds(flags) == ["corroboration"]


def test_an_undated_figure_published_after_a_stated_past_time_is_a_change():
    """An undated claim describes its day of publication: '2023: 4,2 Mrd.' against a later '5,8 Mrd.'."""
    g = group(("oik.example", "2025-09-11", C("Im Jahr 2023 rechnete Auralis mit 4,2 Milliarden Euro.",
                                              "4,2 Milliarden Euro", 4.2e9, unit="EUR", time="Im Jahr 2023")),
              ("mwz.example", "2025-09-10", C("Auralis investiert 5,8 Milliarden Euro.", "5,8 Milliarden Euro",
                                              5.8e9, unit="EUR")),
              scopes={"c0": "2023"})
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "changed_over_time" and kinds(flags) == ["change_over_time"]
    assert (flags[0].claim_a, flags[0].claim_b) == ("c0", "c1")
    assert "states no time, and its publication lies outside 2023" in flags[0].reason


def test_an_undated_figure_within_the_stated_time_is_still_a_low_contradiction():
    g = group(("a.example", "2025-09-11", C("2025 investiert Auralis 4,2 Milliarden Euro.", "4,2 Milliarden Euro",
                                            4.2e9, unit="EUR", time="2025")),
              ("b.example", "2025-09-10", C("Auralis investiert 5,8 Milliarden Euro.", "5,8 Milliarden Euro",
                                            5.8e9, unit="EUR")),
              scopes={"c0": "2025"})
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "contradictory" and [f.severity for f in flags] == ["low"]


def test_amounts_in_one_currency_are_compared_without_a_rate():
    """Through USD each amount would gain the rate tolerance, and 4.8 % apart would agree."""
    g = group(("a.example", "2025-01-14", C("Die Miete liegt bei 7,14 Euro.", "7,14 Euro", 7.14, unit="EUR",
                                            per="m2")),
              ("b.example", "2025-06-16", C("Die Miete liegt bei 7,48 Euro.", "7,48 Euro", 7.48, unit="EUR",
                                            per="m2")))
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "contradictory"
    assert "EUR do not overlap" in flags[0].reason and "->USD" not in flags[0].reason


def test_figures_further_apart_than_a_scale_word_are_no_contradiction():
    """A rate whose 'per seat' went unseen next to a total: two things, not a contradiction."""
    g = group(("a.example", "2025-07-02", C("Die Modernisierung kostet 180 Millionen Euro.", "180 Millionen Euro",
                                            1.8e8, unit="EUR")),
              ("b.example", "2025-07-08", C("Sie kostet knapp 3.500 Euro.", "knapp 3.500 Euro", 3500, unit="EUR",
                                            qualifier="approx")))
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "consistent" and kinds(flags) == []


def test_an_undated_figure_agreeing_with_a_past_value_is_read_as_that_time():
    """'4,3 Mrd.' agrees with '2023: 4,2 Mrd.'; beside a later undated '5,8 Mrd.' that is a change, not a dispute."""
    g = group(("oik.example", "2025-09-11", C("Im Jahr 2023 rechnete Auralis mit 4,2 Milliarden Euro.",
                                              "4,2 Milliarden Euro", 4.2e9, unit="EUR", time="Im Jahr 2023")),
              ("mwz.example", "2025-09-10", C("Auralis investiert 5,8 Milliarden Euro.", "5,8 Milliarden Euro",
                                              5.8e9, unit="EUR")),
              ("x.example", "2025-09-12", C("Auralis investiert 4,3 Milliarden Euro.", "4,3 Milliarden Euro",
                                            4.3e9, unit="EUR")),
              scopes={"c0": "2023"})
    verdict, flags = judge_fact(g, RATES, CONFIG)
    assert verdict == "changed_over_time" and "contradiction" not in kinds(flags)


def test_two_hedged_figures_that_differ_are_no_contradiction():
    """Neither source asserts its figure; with one asserted, the hedged one is still contradicted."""
    rumour = ("a.example", "2025-09-15", C("Angeblich geht es um 25 Gigawattstunden.", "25 Gigawattstunden", 25,
                                           unit="gwh", hedged=True))
    other = ("b.example", "2025-09-20", C("Berichten zufolge sind es 60 Gigawattstunden.", "60 Gigawattstunden", 60,
                                          unit="gwh", hedged=True))
    verdict, flags = judge_fact(group(rumour, other), RATES, CONFIG)
    assert verdict == "consistent" and kinds(flags) == []
    asserted = (other[0], other[1], C("Es sind 60 Gigawattstunden.", "60 Gigawattstunden", 60, unit="gwh"))
    assert judge_fact(group(rumour, asserted), RATES, CONFIG)[0] == "contradictory"


def test_figures_between_a_slipped_digit_and_a_scale_word_are_neither_contradiction_nor_change():
    """'drei Tage' against 'zweieinhalb Monate' (25x), '99 Cent' against '249 Euro' a year later (250x):
    two things that share a word; a factor 10 ('7.500' for '75.000') is still a contradiction."""
    days = group(("a.example", "2020-04-22", C("Drei Tage vor dem Shutdown sank die Zahl.", "Drei Tage", 3,
                                               unit="day")),
                 ("b.example", "2021-11-03", C("Zweieinhalb Monate zuvor gab es Proteste.", "Zweieinhalb Monate", 2.5,
                                               unit="month", time="zuvor")), scopes={"c1": "past"})
    assert judge_fact(days, RATES, CONFIG) == ("consistent", [])
    prices = group(("a.example", "2018-03-02", C("Leihfilme kosten 99 Cent.", "99 Cent", 0.99, unit="EUR")),
                   ("b.example", "2019-03-19", C("Der Grill kostet 249 Euro.", "249 Euro", 249, unit="EUR")))
    assert judge_fact(prices, RATES, CONFIG) == ("consistent", [])
    slip = group(("a.example", "2025-03-05", C("Er kostet 75.000 Yuan.", "75.000 Yuan", 75000, unit="CNY")),
                 ("b.example", "2025-03-20", C("Er kostet 7.500 Yuan.", "7.500 Yuan", 7500, unit="CNY")))
    assert judge_fact(slip, RATES, CONFIG)[0] == "contradictory"


def test_a_range_open_since_a_year_holds_now_so_it_is_no_change():
    """'seit 1985 ... rund 7.900 Mitarbeiter' is a figure of today as much as 'derzeit über 9.000'; the vague
    'zuvor' cannot be set against a year. Neither pair is a change over time."""
    since = group(("w.example", "2022-12-02", C("Derzeit über 9.000 Mitarbeiter.", "über 9.000", 9000, unit="count",
                                                qualifier="lower_bound", time="derzeit")),
                  ("w.example", "2022-12-02", C("Seit 1985 mit rund 7.900 Mitarbeitern.", "rund 7.900", 7900,
                                                unit="count", qualifier="approx", time="Seit 1985")),
                  scopes={"c0": "now", "c1": "1985.."})
    assert "change_over_time" not in kinds(judge_fact(since, RATES, CONFIG)[1])
    vague = group(("a.example", "2020-02-05", C("Zuvor lag das Alter bei 96 Jahren.", "96 Jahren", 96, unit="year",
                                                time="Zuvor")),
                  ("b.example", "2008-12-31", C("Von 1989 bis 1997 war er 86 Jahre alt.", "86 Jahre", 86,
                                                unit="year", time="von 1989 bis 1997")),
                  scopes={"c0": "past", "c1": "1989..1997"})
    assert "change_over_time" not in kinds(judge_fact(vague, RATES, CONFIG)[1])
    years = group(("a.example", "2019-12-23", C("In 1979 the gap was 6 percent.", "6 percent", 6, unit="percent",
                                                time="in 1979"), "en"),
                  ("a.example", "2019-12-23", C("By 2015 it was 19 percent.", "19 percent", 19, unit="percent",
                                                time="by 2015"), "en"),
                  scopes={"c0": "1979", "c1": "..2015"})
    assert judge_fact(years, RATES, CONFIG)[0] == "changed_over_time"
