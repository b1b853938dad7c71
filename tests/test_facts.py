"""Same-fact grouping across articles and languages (pure functions, the real embedding model)."""
from __future__ import annotations

import pytest

from graph.embeddings import Embedder
from graph.claim_features import claim_context
from graph.facts import fact_id_for, group_facts
from graph.link_config import LinkConfig
from link_fixtures import C, Ent, record

CONFIG = LinkConfig()
DS = Ent("DeepSeek", "ORG", "deepseek", "DeepSeek")
R1 = Ent("R1", "PRODUCT", "deepseek-r1", "DeepSeek-R1")
USA = Ent("USA", "LOC", "usa", "USA")
CHINA = Ent("China", "LOC", "china", "China")


@pytest.fixture(scope="module")
def embedder():
    return Embedder(CONFIG.embedding_model)


def vectors_for(embedder, claims):
    return embedder.encode([claim_context(r, [e.canonical or e.text for e in r.claim.entities]) for r in claims])


def groups_of(groups) -> list[set[str]]:
    return sorted(({m.claim_id for m in g.members} for g in groups), key=lambda s: sorted(s))


def same_group(groups, *claim_ids) -> bool:
    return any(set(claim_ids) <= {m.claim_id for m in g.members} for g in groups)


def test_german_and_english_claims_about_r1_training_cost_are_one_fact(embedder):
    claims = [
        record("de1", "a1", "boersenkurier.example", "2025-01-27", C(
            "Die Entwicklung von R1 kostete angeblich nur 5,6 Mio. US-Dollar.", "5,6 Mio. US-Dollar", 5.6e6,
            subject="R1", measure_key="training_cost", entities=[R1], hedged=True)),
        record("en1", "a2", "asiamarkets.example", "2025-01-28", C(
            "The model, called R1, reportedly cost $5.6 million to train.", "$5.6 million", 5.6e6,
            measure_key="training_cost", entities=[R1], hedged=True), "en"),
        record("de2", "a3", "wirtschaftsecho.example", "2025-02-10", C(
            "Kestrel Research schätzt, dass DeepSeek für das Training von R1 60 Millionen Dollar ausgab.",
            "60 Millionen Dollar", 6e7, subject="DeepSeek-R1", measure_key="training_cost", entities=[DS, R1],
            attributed_to=["Kestrel Research"])),
        record("en2", "a4", "ledger.example", "2025-02-11", C(
            "ByteDance plans to spend about $20 billion on GPUs.", "about $20 billion", 2e10, qualifier="approx",
            subject="ByteDance", measure_key="investment", entities=[Ent("ByteDance", "ORG", "bytedance")]), "en"),
    ]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"de1", "en1", "de2"}, {"en2"}]
    fact = next(g for g in groups if len(g.members) == 3)
    assert fact.fact_id == fact_id_for("de1") and fact.measure_key == "training_cost"


def test_a_maker_and_its_model_as_subjects_can_meet_in_one_fact(embedder):
    claims = [
        record("c1", "a1", "x.example", "2025-01-28", C(
            "DeepSeek trained R1 for less than $6 million.", "less than $6 million", 6e6, qualifier="upper_bound",
            subject="DeepSeek", measure_key="training_cost", entities=[DS, R1]), "en"),
        record("c2", "a2", "y.example", "2025-01-29", C(
            "Training R1 cost DeepSeek less than $6 million.", "less than $6 million", 6e6, qualifier="upper_bound",
            subject="R1", measure_key="training_cost", entities=[R1, DS]), "en"),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"c1", "c2"}]


def test_two_subjects_in_one_sentence_are_two_facts(embedder):
    de = "In den USA entstanden knapp 900 neue KI-Start-ups, in China nur 122."
    en1 = "Nearly 900 new AI start-ups were founded in the USA."
    en2 = "China saw 122 new AI start-ups in the same period."
    claims = [
        record("de900", "a1", "boerse.example", "2025-01-22", C(de, "knapp 900", 900, unit="count", qualifier="approx",
               subject="USA", measure_key="count_startups", entities=[USA, CHINA])),
        record("de122", "a1", "boerse.example", "2025-01-22", C(de, "122", 122, unit="count",
               measure_key="count_startups", entities=[USA, CHINA])),
        record("en900", "a2", "pacific.example", "2025-01-23", C(en1, "Nearly 900", 900, unit="count",
               qualifier="approx", subject="USA", measure_key="count_startups", entities=[USA]), "en"),
        record("en122", "a3", "pacific.example", "2025-01-23", C(en2, "122", 122, unit="count",
               subject="China", measure_key="count_startups", entities=[CHINA]), "en"),
    ]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert same_group(groups, "de900", "en900")
    assert not same_group(groups, "de900", "de122")          # same sentence, same measure: never one fact
    assert not same_group(groups, "en900", "en122")          # different countries


def test_different_companies_with_the_same_measure_are_different_facts(embedder):
    claims = [
        record("c1", "a1", "x.example", None, C("Alibaba will mehr als 50 Mrd. US-Dollar investieren.",
               "mehr als 50 Mrd. US-Dollar", 5e10, qualifier="lower_bound", subject="Alibaba",
               measure_key="investment", entities=[Ent("Alibaba", "ORG", "alibaba")])),
        record("c2", "a2", "y.example", None, C("ByteDance will rund 20 Mrd. US-Dollar investieren.",
               "rund 20 Mrd. US-Dollar", 2e10, qualifier="approx", subject="ByteDance",
               measure_key="investment", entities=[Ent("ByteDance", "ORG", "bytedance")])),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"c1"}, {"c2"}]


def test_percent_and_percentage_points_never_group(embedder):
    rate = Ent("Bundesbank", "ORG", None)
    claims = [
        record("c1", "a1", "x.example", None, C("Bei der Bundesbank stieg die Quote um 2 Prozent.", "2 Prozent", 2,
               unit="percent", subject="Bundesbank", measure_key="rate_change", entities=[rate])),
        record("c2", "a2", "y.example", None, C("Bei der Bundesbank stieg die Quote um 2 Prozentpunkte.",
               "2 Prozentpunkte", 2, unit="percentage_points", subject="Bundesbank", measure_key="rate_change",
               entities=[rate])),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"c1"}, {"c2"}]


def test_a_conversion_belongs_to_the_fact_of_the_amount_it_converts(embedder):
    text = "Auf dem Schwarzmarkt zahlten Käufer bis zu 200.000 Yuan (ca. 28.000 Dollar) für einen H100."
    h100 = Ent("H100", "PRODUCT", "nvidia-h100", "H100")
    claims = [
        record("orig", "a1", "chip.example", "2025-03-05", C(text, "bis zu 200.000 Yuan", 2e5, unit="CNY",
               qualifier="upper_bound", subject="H100", measure_key="price", entities=[h100])),
        record("conv", "a1", "chip.example", "2025-03-05", C(text, "ca. 28.000 Dollar", 28000, unit="USD",
               qualifier="approx", measure_key="price")),
    ]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG, conversions={"conv": "orig"})
    assert groups_of(groups) == [{"orig", "conv"}]
    assert groups[0].conversions == {"conv": "orig"}


def test_claims_without_entities_meet_through_their_contexts_only_with_embeddings(embedder):
    """With nothing in common but the measure, only a near-paraphrase of the same figure joins
    (`loose_cosine`): a looser resemblance ("the chatbot took ... in compute") is left apart."""
    claims = [
        record("c1", "a1", "x.example", None, C("Training the model cost $5.6 million, the company said.",
               "$5.6 million", 5.6e6, measure_key="training_cost"), "en"),
        record("c2", "a2", "y.example", None, C("Training the model cost $5.6 million, the startup said.",
               "$5.6 million", 5.6e6, measure_key="training_cost"), "en"),
        record("c3", "a3", "z.example", None, C("Fans paid $70,000 for concert tickets.", "$70,000", 7e4,
               measure_key="training_cost"), "en"),
        record("c4", "a4", "w.example", None, C("Training the chatbot took $5.6 million in compute, the startup said.",
               "$5.6 million", 5.6e6, measure_key="training_cost"), "en"),
    ]
    with_vectors = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(with_vectors) == [{"c1", "c2"}, {"c3"}, {"c4"}]
    assert groups_of(group_facts(claims, None, CONFIG)) == [{"c1"}, {"c2"}, {"c3"}, {"c4"}]


def test_a_fact_keeps_its_id_when_a_later_claim_joins(embedder):
    spec = dict(unit="percent", qualifier="upper_bound", subject="China", measure_key="idle_capacity",
                entities=[CHINA])
    claims = [
        record("c1", "a1", "x.example", "2025-03-05", C("In China liegen bis zu 80 Prozent brach.", "bis zu 80 Prozent",
               80, **spec)),
        record("c2", "a2", "y.example", "2025-03-12", C("Chinas Rechenzentren: bis zu 80 Prozent ungenutzt.",
               "bis zu 80 Prozent", 80, **spec)),
    ]
    later = record("c3", "a3", "z.example", "2025-03-20", C("In China, as much as 80% sits idle.", "as much as 80%",
                   80, **spec), "en")
    before = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    after = group_facts(claims + [later], vectors_for(embedder, claims + [later]), CONFIG)
    assert [g.fact_id for g in before] == [g.fact_id for g in after] == [fact_id_for("c1")]
    assert groups_of(after) == [{"c1", "c2", "c3"}]


def test_embeddings_are_cached_in_the_record_and_the_model_loads_only_on_a_miss(tmp_path):
    from graph.embeddings import embed_texts
    from graph.record import open_record

    conn = open_record(tmp_path / "record.db")
    texts = ["R1; training cost: kostete angeblich nur [USD] .", "H100; rental price: now rents for [CNY per month]"]
    first = Embedder(CONFIG.embedding_model)
    vecs = embed_texts(conn, first, texts + texts[:1])
    assert vecs.shape == (3, 384) and first.computed == 2 and first.cached == 0
    assert vecs[0] @ vecs[0] == pytest.approx(1.0, abs=1e-5) and (vecs[0] == vecs[2]).all()
    fresh = Embedder(CONFIG.embedding_model)
    again = embed_texts(conn, fresh, texts)
    assert (fresh.computed, fresh.cached, fresh.loaded) == (0, 2, False)
    assert (again == vecs[:2]).all()
    assert tuple(conn.execute("SELECT COUNT(*), MIN(dim) FROM embeddings").fetchone()) == (2, 384)
    conn.close()


GERMANY = Ent("Deutschland", "LOC", "germany", "Deutschland")
STARGATE = Ent("Stargate", "MISC", "stargate", "Stargate")
TRUMP = Ent("Trump", "PER", "donald-trump", "Donald Trump")
BK = Ent("Börsenkurier Online", "MEDIA", None, "Börsenkurier Online")


def test_one_article_does_not_contradict_itself_across_sentences(embedder):
    text_a = "Zwischen 2023 und 2024 kündigten Investoren in China mehr als 500 Rechenzentren an."
    text_b = "Mindestens 150 davon waren bis Ende 2024 in China in Betrieb."
    claims = [
        record("c1", "a1", "x.example", "2025-03-05", C(text_a, "mehr als 500", 500, unit="count",
               qualifier="lower_bound", subject="China", measure_key="count_projects", entities=[CHINA])),
        record("c2", "a1", "x.example", "2025-03-05", C(text_b, "Mindestens 150", 150, unit="count",
               qualifier="lower_bound", subject="China", measure_key="count_projects", entities=[CHINA])),
    ]
    claims[1].claim.sentence_index = 1
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"c1"}, {"c2"}]


def test_disagreeing_figures_about_a_place_only_are_not_one_fact(embedder):
    """'Deutschland' is the setting of countless figures; it anchors no contradiction."""
    claims = [
        record("c1", "a1", "x.example", "2022-01-13", C(
            "Für nach Deutschland importierte Lebensmittel werden etwa 18 Millionen Hektar Land belegt.",
            "etwa 18 Millionen Hektar", 1.8e7, unit="ha", qualifier="approx", subject="Deutschland",
            measure_key="area", entities=[GERMANY])),
        record("c2", "a2", "y.example", "2022-01-21", C(
            "In Deutschland stehen rund 23.800 Hektar Riesling-Reben.", "rund 23.800 Hektar", 23800,
            unit="ha", qualifier="approx", subject="Deutschland", measure_key="area", entities=[GERMANY])),
    ]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"c1"}, {"c2"}]


def test_the_same_figure_joins_when_one_claim_names_the_others_subject(embedder):
    """NLP subjects miss ("Trump kündigt ... an"); the same value plus the entity named in the sentence do not."""
    claims = [
        record("de", "a1", "boerse.example", "2025-01-22", C(
            "Stargate: Trump kündigt KI-Offensive mit 500 Milliarden Dollar an", "500 Milliarden Dollar", 5e11,
            subject="Trump", measure_key="investment", entities=[STARGATE, TRUMP])),
        record("en", "a2", "pacific.example", "2025-01-23", C(
            "Stargate plans to spend up to $500 billion on AI infrastructure.", "up to $500 billion", 5e11,
            qualifier="upper_bound", subject="Stargate", measure_key="investment", entities=[STARGATE]), "en"),
    ]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"de", "en"}]


def test_a_claim_attributed_to_an_outlet_joins_that_outlets_claim(embedder):
    claims = [
        record("orig", "a1", "Börsenkurier Online", "2025-01-27", C(
            "An einem Handelstag wurden mehr als eine Billion Dollar an Börsenwert vernichtet.",
            "mehr als eine Billion Dollar", 1e12, qualifier="lower_bound", measure_key="market_value_loss")),
        record("cited", "a2", "digitalwelt.example", "2025-02-03", C(
            "Der Ausverkauf ließ den Börsenwert um über eine Billion US-Dollar schrumpfen, wie Börsenkurier "
            "Online berichtete.", "über eine Billion US-Dollar", 1e12, qualifier="lower_bound",
            measure_key="market_value_loss", entities=[BK], attributed_to=["Börsenkurier Online"])),
    ]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"orig", "cited"}]


def test_claims_without_a_measure_group_only_on_the_same_number(embedder):
    sentence = "Die Zahl lag bei {}."
    claims = [record(f"c{v}", f"a{v}", f"s{v}.example", "2025-01-01",
                     C(sentence.format(v), str(v), v, unit="count")) for v in (52, 47)]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"c47"}, {"c52"}]


def test_opposite_signs_are_never_the_same_value(embedder):
    sentence = "Die Temperatur lag in Oslo bei {} Grad."
    oslo = Ent("Oslo", "LOC", "oslo", "Oslo")
    claims = [record(f"c{i}", f"a{i}", f"s{i}.example", "2025-01-01",
                     C(sentence.format(v), f"{v} Grad", float(v.replace(",", ".")), unit="celsius",
                       measure_key="temperature", entities=[oslo]))
              for i, v in enumerate(("-11,5", "11,5"))]
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"c0"}, {"c1"}]


def test_one_articles_figures_outside_each_others_rounding_are_two_facts(embedder):
    """An article writing '7,48 Euro' and '7,95 Euro' means two things: it does not contradict itself.

    No entity tells the cities apart here (the NLP stage found none), and the contexts look alike."""
    claims = [
        record("lei", "a1", "x.example", "2025-05-14", C(
            "Die Vergleichsmiete in Leipzig liegt laut Mietspiegel bei 7,48 Euro pro Quadratmeter.", "7,48 Euro",
            7.48, unit="EUR", per="m2", measure_key="rent", attributed_to=["Mietspiegel"])),
        record("dre", "a1", "x.example", "2025-05-14", C(
            "In Dresden weist der Mietspiegel eine Vergleichsmiete von 7,95 Euro pro Quadratmeter aus.",
            "7,95 Euro", 7.95, unit="EUR", per="m2", measure_key="rent")),
    ]
    claims[1].claim.sentence_index = 1
    groups = group_facts(claims, vectors_for(embedder, claims), CONFIG)
    assert groups_of(groups) == [{"dre"}, {"lei"}]


def test_a_headline_figure_is_the_same_figure_of_its_article():
    """Headlines drop the measure ('for €5.8 billion battery plant'); the value of the text says which."""
    headline = "Auralis Cell picks Prenzlau for €5.8 billion battery plant"
    body = "Auralis Cell will invest €5.8 billion in a cell factory."
    other = "The plant will employ 3,200 people."
    text = "\n".join((headline, body, other))
    claims = [
        record("head", "a1", "x.example", "2025-09-12", C(headline, "€5.8 billion", 5.8e9, unit="EUR"), "en", text),
        record("body", "a1", "x.example", "2025-09-12", C(body, "€5.8 billion", 5.8e9, unit="EUR",
               measure_key="investment"), "en", text),
        record("jobs", "a1", "x.example", "2025-09-12", C(other, "3,200", 3200, unit="count", measure_key="jobs"),
               "en", text),
    ]
    for i, c in enumerate(claims[1:], start=1):
        c.claim.sentence_index = i
    assert groups_of(group_facts(claims, None, CONFIG)) == [{"body", "head"}, {"jobs"}]


def test_an_article_stating_an_earlier_value_beside_the_current_one_reports_one_fact_that_changed():
    """'Ursprünglich ... im Jahr 2023 ... 4,2 Mrd.' beside the article's own '6 Mrd.': one fact, two times;
    but a value of another report that agrees with the earlier one is that one's fact."""
    auralis = Ent("Auralis Cell", "ORG", None, "Auralis Cell")
    now = "Auralis Cell nimmt für das Werk rund 6 Mrd. Euro in die Hand."
    then = "Ursprünglich hatte Auralis Cell im Jahr 2023 mit Kosten von 4,2 Milliarden Euro gerechnet."
    text = f"{now} {then}"
    claims = [
        record("now", "a1", "x.example", "2025-09-11", C(now, "rund 6 Mrd. Euro", 6e9, unit="EUR", qualifier="approx",
               subject="Auralis Cell", measure_key="investment", entities=[auralis]), "de", text),
        record("then", "a1", "x.example", "2025-09-11", C(then, "4,2 Milliarden Euro", 4.2e9, unit="EUR",
               subject="Auralis Cell", measure_key="investment", entities=[auralis], time="im Jahr 2023",
               time_key="2023"), "de", text),
    ]
    claims[1].claim.sentence_index = 1
    assert groups_of(group_facts(claims, None, CONFIG)) == [{"now", "then"}]
    other = record("other", "a2", "y.example", "2025-09-12", C(
        "Auralis Cell investiert 4,3 Milliarden Euro in ein Werk in Ungarn.", "4,3 Milliarden Euro", 4.3e9,
        unit="EUR", subject="Auralis Cell", measure_key="investment", entities=[auralis]))
    assert groups_of(group_facts(claims + [other], None, CONFIG)) == [{"now"}, {"other", "then"}]


def test_a_rate_and_a_total_a_scale_word_apart_never_meet(embedder):
    """'knapp 3.500 Euro' per seat (the 'pro Platz' unseen) and the stadium's 180 Mio.: not one fact."""
    stadium = Ent("Auenpark", "MISC", None, "Auenpark")
    claims = [
        record("total", "a1", "x.example", "2025-07-02", C(
            "Die Modernisierung des Auenpark kostet 180 Millionen Euro.", "180 Millionen Euro", 1.8e8, unit="EUR",
            subject="Auenpark", measure_key="cost", entities=[stadium])),
        record("seat", "a2", "y.example", "2025-07-08", C(
            "Pro Platz kostet die Modernisierung des Auenpark knapp 3.500 Euro.", "knapp 3.500 Euro", 3500,
            unit="EUR", qualifier="approx", subject="Auenpark", measure_key="cost", entities=[stadium])),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"seat"}, {"total"}]


# -- rules against wrong joins found on the real corpus (each with small synthetic claims) --------------

AMAZON = Ent("Amazon", "ORG", "amazon", "Amazon")


def test_figures_further_apart_than_a_slipped_digit_and_short_of_a_scale_word_are_not_one_fact(embedder):
    """'99 Cent' for a film and '249 Euro' for a grill, both 'bei Amazon': a factor 250 is no misprint."""
    claims = [
        record("film", "a1", "x.example", "2018-03-02", C(
            "Einmal im Monat bietet Amazon Leihfilme zum Preis von 99 Cent an.", "99 Cent", 0.99, unit="EUR",
            subject="Amazon", measure_key="price", entities=[AMAZON])),
        record("grill", "a2", "y.example", "2019-03-19", C(
            "Den Grill bekommt man bei Amazon zum höheren Preis von 249 Euro.", "249 Euro", 249, unit="EUR",
            subject="Amazon", measure_key="price", entities=[AMAZON])),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"film"}, {"grill"}]


def test_two_figures_of_one_sentence_never_join_by_resemblance(embedder):
    """One sentence, one context window: the cosine cannot tell its figures apart."""
    text = "Im Beschluss (WRP 1992, 160; GRUR 1993, 34) wird die Frage offengelassen."
    claims = [
        record("a", "a1", "x.example", "2011-10-16", C(text, "34", 34, unit="count", measure_key="pages",
               time="1993", time_key="1993"), "de", text),
        record("b", "a1", "x.example", "2011-10-16", C(text, "160", 160, unit="count", measure_key="pages",
               time="1992", time_key="1992"), "de", text),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"a"}, {"b"}]


def test_an_earlier_value_joins_the_present_one_only_at_a_year_and_within_a_revision():
    """'sechs Jahre zuvor' is relative to the story; '2021 ... 1,2 Mrd.' beside '476 Mio.' is another sum."""
    elder = Ent("Elder", "PER", None, "Thomas Elder")
    now = "Elder war zu diesem Zeitpunkt neun Jahre alt."
    then = "Elder musste sich sechs Jahre zuvor noch auf dem Parkplatz umziehen."
    claims = [
        record("now", "a1", "x.example", "2022-01-21", C(now, "neun Jahre", 9, unit="year", subject="Elder",
               measure_key="duration", entities=[elder]), "de", f"{now} {then}"),
        record("then", "a1", "x.example", "2022-01-21", C(then, "sechs Jahre", 6, unit="year", subject="Elder",
               measure_key="duration", entities=[elder], time="zuvor", time_key="past"), "de", f"{now} {then}"),
    ]
    claims[1].claim.sentence_index = 1
    assert groups_of(group_facts(claims, None, CONFIG)) == [{"now"}, {"then"}]

    govt = Ent("Bundesregierung", "ORG", None, "Bundesregierung")
    past = "Die Bundesregierung war 2021 mit 1,2 Milliarden Euro der zweitgrößte Geber."
    present = "Die Bundesregierung stellt dabei 476 Millionen Euro bereit."
    claims = [
        record("past", "a1", "x.example", "2022-01-25", C(past, "1,2 Milliarden Euro", 1.2e9, unit="EUR",
               subject="Bundesregierung", measure_key="investment", entities=[govt], time="2021", time_key="2021"),
               "de", f"{past} {present}"),
        record("present", "a1", "x.example", "2022-01-25", C(present, "476 Millionen Euro", 4.76e8, unit="EUR",
               subject="Bundesregierung", measure_key="investment", entities=[govt]), "de", f"{past} {present}"),
    ]
    claims[1].claim.sentence_index = 1
    assert groups_of(group_facts(claims, None, CONFIG)) == [{"past"}, {"present"}]


def test_one_articles_two_figures_never_join_by_resemblance(embedder):
    """'derzeit über 9.000 Mitarbeiter' and the boilerplate's 'rund 7.900 Mitarbeiter': two statements;
    '73 Prozent' and '72,2 Prozent' of one survey: two answers."""
    nordex = Ent("Nordex", "ORG", None, "Nordex")
    s1 = "Das Unternehmen Nordex beschäftigt derzeit über 9.000 Mitarbeiter."
    s2 = "Seit 1985 ist das Kerngeschäft der Nordex Group und ihrer rund 7.900 Mitarbeiter weltweit."
    claims = [
        record("now", "a1", "x.example", "2022-12-02", C(s1, "über 9.000", 9000, unit="count", qualifier="lower_bound",
               subject="Nordex", measure_key="employees", entities=[nordex], time="derzeit", time_key="now"),
               "de", f"{s1} {s2}"),
        record("boiler", "a1", "x.example", "2022-12-02", C(s2, "rund 7.900", 7900, unit="count", qualifier="approx",
               subject="Nordex", measure_key="employees", entities=[nordex], time="Seit 1985", time_key="1985.."),
               "de", f"{s1} {s2}"),
    ]
    claims[1].claim.sentence_index = 1
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"boiler"}, {"now"}]

    s1 = "Laut Umfrage ziehen 73 Prozent der Befragten die Demokratie vor."
    s2 = "Überwältigende 72,2 Prozent der Befragten bewerteten die Lage als sehr schlecht."
    claims = [
        record("p1", "a1", "x.example", "2021-11-03", C(s1, "73 Prozent", 73, unit="percent",
               measure_key="poll_share"), "de", f"{s1} {s2}"),
        record("p2", "a1", "x.example", "2021-11-03", C(s2, "72,2 Prozent", 72.2, unit="percent",
               measure_key="poll_share"), "de", f"{s1} {s2}"),
    ]
    for i, c in enumerate(claims, start=1):     # not the headline (sentence 0), which may round
        c.claim.sentence_index = i
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"p1"}, {"p2"}]


def test_only_pairs_a_cosine_could_join_are_embedded(embedder):
    """Two figures of one article that differ never join by resemblance (above), so their
    contexts are not embedded at all; the same figures in two articles are scored, so they are."""
    nordex = Ent("Nordex", "ORG", None, "Nordex")
    s1 = "Das Unternehmen Nordex beschäftigt derzeit über 9.000 Mitarbeiter."
    s2 = "Seit 1985 ist das Kerngeschäft der Nordex Group und ihrer rund 7.900 Mitarbeiter weltweit."

    def claims_in(second_article: str):
        claims = [
            record("now", "a1", "x.example", "2022-12-02", C(s1, "über 9.000", 9000, unit="count",
                   qualifier="lower_bound", subject="Nordex", measure_key="employees", entities=[nordex]),
                   "de", f"{s1} {s2}"),
            record("boiler", second_article, "x.example", "2022-12-02", C(s2, "rund 7.900", 7900, unit="count",
                   qualifier="approx", subject="Nordex", measure_key="employees", entities=[nordex]),
                   "de", f"{s1} {s2}"),
        ]
        claims[1].claim.sentence_index = 1
        return claims

    for second_article, expected in (("a1", []), ("a2", [0, 1])):
        claims = claims_in(second_article)
        vecs = vectors_for(embedder, claims)
        requested: list[int] = []

        def source(indices, vecs=vecs):
            requested.extend(indices)
            return vecs[indices]

        grouped = groups_of(group_facts(claims, source, CONFIG))
        assert sorted(requested) == expected, second_article
        assert grouped == groups_of(group_facts(claims, vecs, CONFIG))


def test_close_ages_of_unrelated_people_do_not_chain_into_one_fact(embedder):
    """'25', '26', '27' are three exact figures, not one rounded one; and nothing ties the people."""
    specs = [("Der 27-Jährige lief am Dienstag eine Fabelzeit.", "27-Jährige", 27),
             ("Die 26-Jährige plant Starts in allen fünf Disziplinen.", "26-Jährige", 26),
             ("Im September 2014 war ich 26 Jahre alt.", "26 Jahre", 26),
             ("Die 27-jährige erzählt von ihrer letzten Beziehung.", "27-jährige", 27),
             ("Der 25-Jährige gewann das Rennen.", "25-Jährige", 25)]
    claims = [record(f"c{i}", f"a{i}", f"s{i}.example", "2022-02-02",
                     C(text, span, v, unit="year", measure_key="duration"))
              for i, (text, span, v) in enumerate(specs)]
    for g in group_facts(claims, vectors_for(embedder, claims), CONFIG):
        assert len({m.claim.value for m in g.members}) == 1, groups_of([g])


def test_bare_numbers_join_nothing(embedder):
    """'15.' of a numbered list, 'Rocket Pass 4' of a headline: what they count is unknown."""
    claims = [record(f"n{i}", f"a{i}", f"s{i}.example", "2020-01-01", C("15.", "15", 15, unit="count"))
              for i in range(3)]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [{"n0"}, {"n1"}, {"n2"}]
    head, body = "Rocket Pass 4 brings a new car", "Rocket Pass 4 will begin on August 28."
    claims = [record("head", "a1", "x.example", "2019-08-20", C(head, "4", 4, unit="count"), "en", f"{head}\n{body}"),
              record("body", "a1", "x.example", "2019-08-20", C(body, "4", 4, unit="count"), "en", f"{head}\n{body}")]
    claims[1].claim.sentence_index = 1
    assert groups_of(group_facts(claims, None, CONFIG)) == [{"body"}, {"head"}]


def test_figures_of_a_generic_measure_with_nothing_in_common_stay_apart(embedder):
    """'Laufzeit: fünf Jahre' (a lease) and 'Kredite mit bis zu 5 Jahren Laufzeit': the measure alone
    does not make one fact; a shared place does not either."""
    claims = [
        record("lease", "a1", "x.example", "2022-01-01", C("Laufzeit: fünf Jahre", "fünf Jahre", 5, unit="year",
               measure_key="contract_length")),
        record("loan", "a2", "y.example", "2022-02-01", C(
            "Die Kreditlaufzeit beträgt bei Autokrediten bis zu 5 Jahren.", "bis zu 5 Jahren", 5, unit="year",
            qualifier="upper_bound", measure_key="contract_length")),
        record("ghg", "a3", "z.example", "2022-03-01", C(
            "In Deutschland sind 40% der Treibhausgas-Emissionen auf Rohstoffe zurückzuführen.", "40%", 40,
            unit="percent", subject="Deutschland", entities=[GERMANY])),
        record("work", "a4", "w.example", "2022-04-01", C(
            "40 Prozent der Beschäftigten in Deutschland fühlen sich belastet.", "40 Prozent", 40,
            unit="percent", subject="Deutschland", entities=[GERMANY])),
    ]
    assert groups_of(group_facts(claims, vectors_for(embedder, claims), CONFIG)) == [
        {"ghg"}, {"lease"}, {"loan"}, {"work"}]
