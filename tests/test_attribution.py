"""Who a sentence reports its numbers from, and whether it hedges them."""
from __future__ import annotations

import pytest

from nlp.attribution import SentenceEntity, attribution_for
from nlp.config import PipelineConfig
from nlp.hedging import is_hedged
from nlp.pipeline import build_pipeline


@pytest.fixture(scope="module")
def pipelines():
    return {lang: build_pipeline(lang, PipelineConfig()) for lang in ("de", "en")}


def attribute(pipelines, text, lang, persons_before=()):
    doc = pipelines[lang](text)
    ents = [SentenceEntity(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
    return attribution_for(text, ents, lang, persons_before)


DE = [
    ("Laut dem Branchendienst 36Kr stehen bis zu 80 Prozent der neuen Rechenkapazität leer.", ["36Kr"]),
    ("Laut Reuters stieg der Umsatz um acht Prozent.", ["Reuters"]),
    ("Nach Angaben des Statistischen Bundesamts sank die Zahl der Firmen.", ["Statistischen Bundesamts"]),
    ("Nach Angaben von Alibaba sollen 50 Milliarden Dollar fließen.", ["Alibaba"]),
    ("Einem Bericht von Bloomberg zufolge zahlte der Fonds 3 Mrd. Euro.", ["Bloomberg"]),
    ("Dem Handelsblatt zufolge verdient der Vorstand 4 Mio. Euro.", ["Handelsblatt"]),
    ("Heise und Golem berichten, dass der Preis um 20 Prozent fällt.", ["Heise", "Golem"]),
    ("Medien wie Caixin und Xinhua berichten von 300 neuen Anlagen.", ["Caixin", "Xinhua"]),
    ("Wie die Nachrichtenagentur dpa meldet, gibt es 40 Verletzte.", ["dpa"]),
    ("Wie der Verband der Chemischen Industrie mitteilte, sank die Produktion um vier Prozent.",
     ["Verband der Chemischen Industrie"]),
    ("„Wir sehen ein Minus von zehn Prozent“, sagte Konzernchef Ole Brink.", ["Ole Brink"]),
    ("Die Nachfrage bleibt hoch, erklärte Lisa Su am Dienstag.", ["Lisa Su"]),
    ("Gina Raimondo erklärte, die Regeln würden 2025 strenger.", ["Gina Raimondo"]),
    ("Ein Bericht des Medienunternehmens Caixin zeigt, dass 60 Prozent der Chips fehlen.", ["Caixin"]),
    ("Nach einer Civey-Umfrage halten 58 Prozent die Steuer für falsch.", ["Civey"]),
    ("Huawei gab nach eigenen Angaben 20 Mrd. Dollar für Forschung aus.", ["Huawei"]),
    ("Den Analysten von Bernstein zufolge fällt die Marge auf 30 Prozent.", ["Bernstein"]),
    ("Nach dpa-Informationen streicht die Bank 900 Stellen.", ["dpa"]),
    ("Der Klub zahlte nach Informationen des „Kicker“ 30 Millionen Euro.", ["Kicker"]),
    ("Die Kosten steigen um 8 Prozent, teilte die Deutsche Bahn mit.", ["Deutsche Bahn"]),
    # the name right after the cue is the source, not an entity later in the clause
    ("Nach Angaben des Landesumweltamts fließen 40 Millionen Euro in das Tesla-Werk.", ["Landesumweltamts"]),
    ("Laut Verkehrsministerium erhält die Deutsche Bahn 2 Mrd. Euro.", ["Verkehrsministerium"]),
    # no named source
    ("Ein Sprecher des Unternehmens bestätigte, dass 400 Stellen wegfallen.", []),
    ("„Wir sparen 50 Millionen Euro“, sagte der Vorstandschef.", []),
    ("Analysten erwarten ein Plus von fünf Prozent.", []),
    ("Experten rechnen mit 2.000 neuen Stellen.", []),
    ("Der Chipkonzern plant Investitionen von 10 Mrd. Euro.", []),
    ("Berichten zufolge kostet das Modell nur 6 Mio. Dollar.", []),
    ("Am Montag fiel die Aktie um zwölf Prozent.", []),
]

EN = [
    ("According to the IEA, data centres used 2 percent of global power.", ["IEA"]),
    ("Shares fell 9%, the company said in a statement.", []),
    ("The Commerce Department said exports rose 4%.", ["Commerce Department"]),
    ("Goldman Sachs estimates that the market will reach $400 billion.", ["Goldman Sachs"]),
    ("Revenue rose 12%, said finance chief Maya Ortiz.", ["Maya Ortiz"]),
    ("Caixin and Yicai have reported that 70% of sites are idle.", ["Caixin", "Yicai"]),
    ("Analysts at Brightwater Capital said the figure covers only hardware.", ["Brightwater Capital"]),
    ("The deal is worth $3 billion, people familiar with the matter told Bloomberg.", ["Bloomberg"]),
    ("Economists polled by Reuters expect growth of 0.5%.", ["Reuters"]),
    ("According to Eurostat the subsidies for Siemens Energy reached €2 billion.", ["Eurostat"]),
    ("Analysts expect 3% growth next year.", []),
    ("Demand is expected to double by 2030.", []),
    # a report noun between the source and its verb belongs to the source
    ("Approvals rose to 68,000, Bank of England figures showed.", ["Bank of England"]),
    ("Prices rose 3%, official figures showed.", []),
]

# the one spoken to is no source: a name after the speaker and a dative article
ADDRESSEES = [
    ("Der Gewinn lag bei 1 Mrd. Euro, wie Finanzchef Klaus Weber der Nachrichtenagentur dpa sagte.", ["Klaus Weber"]),
    ("Der Umsatz stieg um 3 Prozent, wie Klaus Weber dem Handelsblatt sagte.", ["Klaus Weber"]),
    ("Der Konzern will 30 Milliarden Euro investieren, sagte ein Sprecher dem Handelsblatt.", []),
    ("Der Umsatz stieg um 3 Prozent, sagte ein Sprecher der Deutschen Bahn.", ["Deutschen Bahn"]),
]


@pytest.mark.parametrize("text,names", ADDRESSEES)
def test_addressee_is_no_source(pipelines, text, names):
    assert list(attribute(pipelines, text, "de").names) == names


@pytest.mark.parametrize("text,names", DE)
def test_attribution_de(pipelines, text, names):
    assert list(attribute(pipelines, text, "de").names) == names


@pytest.mark.parametrize("text,names", EN)
def test_attribution_en(pipelines, text, names):
    assert list(attribute(pipelines, text, "en").names) == names


def test_pronoun_resolves_to_last_named_person(pipelines):
    text = "„Das kostet uns 200 Millionen“, sagt er."
    assert list(attribute(pipelines, text, "de", persons_before=("Max Weller",)).names) == ["Max Weller"]
    assert list(attribute(pipelines, text, "de").names) == []


def test_cue_is_reported(pipelines):
    a = attribute(pipelines, "Laut Reuters stieg der Umsatz.", "de")
    assert a.cue == "Laut" and a.spans == ((5, 12),)


@pytest.mark.parametrize("text,lang,hedged", [
    ("Das Training kostete angeblich nur 5,6 Mio. Dollar.", "de", True),
    ("Das Start-up soll 2.000 Chips gekauft haben.", "de", True),
    ("Die Lizenz soll 40 Mio. Euro kosten.", "de", True),
    ("Das Werk soll 2027 fertig werden und 500 Stellen schaffen.", "de", False),
    ("Die neue Halle soll 2026 eröffnet werden und 90 Mio. Euro kosten.", "de", False),
    ("Der Konzern soll im Vorjahr 1,8 Millionen Autos verkauft haben.", "de", True),
    ("Der Gewinn lag möglicherweise unter 3 Mrd. Euro.", "de", True),
    ("Der mutmaßliche Schaden beträgt 12 Mio. Euro.", "de", True),
    ("Medienberichten zufolge fließen 8 Mrd. Euro.", "de", True),
    ("Unter der Voraussetzung, dass die Zahlen stimmen, sank der Preis um 90 Prozent.", "de", True),
    ("Der Umsatz stieg um 4 Prozent.", "de", False),
    ("Der Umsatz könnte 2026 um 4 Prozent steigen.", "de", False),
    ("Kostet das Modell wirklich nur 6 Mio. Dollar?", "de", True),
    ("The startup reportedly raised $2 billion.", "en", True),
    ("The executive allegedly moved $3 million.", "en", True),
    ("The chip is said to cost $30,000.", "en", True),
    ("The firm may have spent $1 billion on chips.", "en", True),
    ("AI could lift output by 7%.", "en", False),
    ("Sales are expected to rise 5%.", "en", False),
    ("Revenue rose 5% to $2 billion.", "en", False),
])
def test_hedging(text, lang, hedged):
    assert is_hedged(text, lang) is hedged


# "soll" with a subject that is being built states a plan, not hearsay; a perfect infinitive
# or another subject keeps the hearsay reading
@pytest.mark.parametrize("text,hedged", [
    ("Das Werk soll 3.000 Menschen beschäftigen.", False),
    ("In Magdeburg soll die neue Chipfabrik 10.000 Menschen beschäftigen.", False),
    ("Das neue Rechenzentrum soll 2 Milliarden Euro kosten.", False),
    ("Das Werk soll 5 Mio. Euro gekostet haben.", True),
    ("Der Konzern soll 3.000 Menschen beschäftigen.", True),
    ("Die Lizenz soll 40 Mio. Euro kosten.", True),
    ("Das Netzwerk soll 5 Mio. Nutzer haben.", True),
])
def test_soll_with_planned_subject_is_no_hedge(text, hedged):
    assert is_hedged(text, "de") is hedged
