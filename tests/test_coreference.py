"""Claim subjects named by a definite generic noun (nlp/coreference.py), and the givers of subsidies."""
from __future__ import annotations

import pytest

from nlp.analyze import Analyzer
from test_claims import claim

FILLER_DE = " Der Markt wächst. Die Nachfrage bleibt hoch. Die Preise sinken. Viele Kunden warten."


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def subject_of(analyzer, text, lang, span):
    return claim(analyzer, text, lang, span).subject


@pytest.mark.parametrize("text,lang,span,subject", [
    # a company or project noun takes the one company named before it
    ("Der Maschinenbauer Veltrox Motors plant einen Standort bei Gotha. Das Unternehmen investiert dafür "
     "400 Millionen Euro.", "de", "400 Millionen Euro", "Veltrox Motors"),
    ("Kessler Solar will bei Halle Module fertigen. Bund und Land fördern das Vorhaben mit 80 Millionen Euro.",
     "de", "80 Millionen Euro", "Kessler Solar"),
    ("Kessler Solar baut aus. Ursprünglich hatte der Konzern mit Kosten von 60 Millionen Euro gerechnet.",
     "de", "60 Millionen Euro", "Kessler Solar"),
    ("Northwind Energy will build a hydrogen hub in Aberdeen. The project will cost £300 million.", "en",
     "£300 million", "Northwind Energy"),
    ("Brightwell Pharma reported record sales. The company's revenue rose to $2 billion.", "en", "$2 billion",
     "Brightwell Pharma"),
    # a product is no company: "Nvidia H100" never stands for Nvidia, and does not block it either
    ("Der H100 von Nvidia ist gefragt. Das Unternehmen setzte zuletzt 30 Mrd. Dollar um.", "de",
     "30 Mrd. Dollar", "Nvidia"),
    # the genitive singular is the noun too; a plural of the same form is not ("die Unternehmen")
    ("Kessler Solar baut aus. Nach dem Zeitplan des Unternehmens fließen 20 Millionen Euro.", "de",
     "20 Millionen Euro", "Kessler Solar"),
    ("Kessler Solar baut aus. Die Unternehmen der Branche investieren 400 Millionen Euro.", "de",
     "400 Millionen Euro", None),
    ("Kessler Solar baut aus. Den Vorhaben der Branche fehlen 400 Millionen Euro.", "de",
     "400 Millionen Euro", None),
    # two companies in the window: no guessing
    ("Veltrox Motors und Kessler Solar gründen eine Tochter. Das Unternehmen investiert 400 Millionen Euro.",
     "de", "400 Millionen Euro", None),
    ("Veltrox Motors und Kessler Solar teilen sich ein Gelände. Das Werk kostet 90 Millionen Euro.", "de",
     "90 Millionen Euro", None),
    ("Northwind Energy and Harlow Power are rivals. The company will invest £50 million.", "en", "£50 million",
     None),
    # a facility is no company: a company has several plants
    ("Veltrox Motors betreibt mehrere Standorte. Das Werk kostete 90 Millionen Euro.", "de", "90 Millionen Euro",
     None),
    ("Northwind Energy runs several sites. The plant cost £90 million.", "en", "£90 million", None),
    # a generic noun with a name of its own is that name's, not the company's
    ("Kessler Solar plant mehrere Parks. Das Projekt „Sonnenfeld“ kostet 90 Millionen Euro.", "de",
     "90 Millionen Euro", None),
    ("Northwind Energy backs several schemes. The project Blue Kelpie will cost £80 million.", "en",
     "£80 million", None),
    # a public body funds or approves, it is no antecedent
    ("Die EU-Kommission genehmigte die Beihilfe. Das Unternehmen investiert 200 Millionen Euro.", "de",
     "200 Millionen Euro", None),
    # too far back: the window is a few sentences
    ("Veltrox Motors ist ein Maschinenbauer." + FILLER_DE + " Das Unternehmen investiert 5 Millionen Euro.", "de",
     "5 Millionen Euro", None),
    # an entity of its own clause wins over the noun
    ("Kessler Solar baut aus. Das Unternehmen Veltrox Motors investiert 400 Millionen Euro.", "de",
     "400 Millionen Euro", "Veltrox Motors"),
])
def test_generic_noun_subject(analyzer, text, lang, span, subject):
    assert subject_of(analyzer, text, lang, span) == subject


@pytest.mark.parametrize("text,lang,span,subject", [
    # who gives a subsidy (a public body, a place before a verb of giving) is not what it is about
    ("Kessler Solar plant eine Fabrik. Dresden fördert das Vorhaben mit 50 Millionen Euro.", "de",
     "50 Millionen Euro", "Kessler Solar"),
    ("Northwind Energy plans a hub. Scotland is providing £40 million in grants.", "en", "£40 million", None),
    ("Die Förderung der EU-Kommission beträgt 30 Millionen Euro.", "de", "30 Millionen Euro", None),
    # a place that receives is the subject; one that gives is not
    ("Leipzig erhält 5 Millionen Euro Fördermittel.", "de", "5 Millionen Euro", "Leipzig"),
    ("Leipzig receives €5 million in subsidies.", "en", "€5 million", "Leipzig"),
    # other measures keep the place as their subject
    ("Dresden investiert 50 Millionen Euro in Schulen.", "de", "50 Millionen Euro", "Dresden"),
])
def test_a_subsidys_giver_is_not_its_subject(analyzer, text, lang, span, subject):
    assert subject_of(analyzer, text, lang, span) == subject
