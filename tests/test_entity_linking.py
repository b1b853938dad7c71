"""Mentions -> canonical entities: spelling, case, inflection, compounds, languages, overrides."""
from __future__ import annotations

import pytest

from graph.embeddings import Embedder
from graph.entity_linking import (
    AliasRules, MentionForm, build_index, claim_roles, default_index, link_entities, load_alias_rules,
    load_name_rules, mention_form, name_key, variant_keys,
)
from graph.link_config import LinkConfig
from link_fixtures import C, Ent, record

CONFIG = LinkConfig()
RULES = load_name_rules(CONFIG.names_path)


@pytest.fixture(scope="module")
def name_vectors():
    embedder = Embedder(CONFIG.embedding_model)
    return embedder.encode


def bare_index(aliases: AliasRules | None = None):
    """No gazetteer: only the spelling rules and the overrides know anything."""
    return build_index(RULES, aliases or AliasRules())


@pytest.mark.parametrize("name,key", [
    ("NVIDIA Corp.", "nvidia"), ("Nvidia", "nvidia"), ("Alibaba Group", "alibaba"), ("U.S.", "us"),
    ("OpenAI's", "openai"), ("Die Bundesregierung", "bundesregierung"), ("DeepSeek-R1", "deepseek r1"),
    ("Müller", "muller"), ("Group", "group"),
])
def test_name_key(name, key):
    assert name_key(name, RULES) == key


@pytest.mark.parametrize("name,present,absent", [
    ("Nvidias", ["nvidia"], []),
    ("Nvidia-Chips", ["nvidia"], []),
    ("Nvidia-H100-Chips", ["nvidia h100"], ["nvidia"]),     # never plain "nvidia": H100 names a model
    ("Jiazi-Guangnian-Bericht", ["jiazi guangnian", "jiazi"], []),
    ("Deep Seek", ["deepseek"], []),
    ("Paris", ["pari"], ["paris"]),       # only a candidate: it counts when "Pari" is a known name
])
def test_variant_keys(name, present, absent):
    variants = variant_keys(name, RULES)
    assert all(v in variants for v in present) and not any(v in variants for v in absent)


def test_spelling_case_inflection_and_compounds_merge_without_a_gazetteer():
    forms = [MentionForm("Nvidia", "ORG"), MentionForm("NVIDIA", "ORG"), MentionForm("Nvidias", "ORG"),
             MentionForm("Nvidia-Chips", "PRODUCT"), MentionForm("Nvidia Corp.", "ORG"),
             MentionForm("Nvidia H100", "PRODUCT"), MentionForm("Meta", "ORG"), MentionForm("Metaverse", "MISC")]
    index = bare_index()
    ids = link_entities(forms, index)
    nvidia = {ids[f] for f in forms[:5]}
    assert nvidia == {"org:nvidia"}
    assert ids[forms[5]] == "org:nvidia-h100"
    assert ids[forms[6]] != ids[forms[7]]
    entity = index.entities["org:nvidia"]
    assert entity.name == "Nvidia" and "Nvidias" in entity.aliases and "NVIDIA" in entity.aliases


def test_languages_and_aliases_merge_through_the_gazetteer_id():
    forms = [MentionForm("USA", "LOC", "USA", "usa"), MentionForm("Vereinigte Staaten", "LOC", "USA", "usa"),
             MentionForm("US", "LOC"), MentionForm("United States", "LOC"), MentionForm("Vereinigten Staaten", "LOC")]
    index = default_index(CONFIG)
    ids = link_entities(forms, index)
    assert set(ids.values()) == {"usa"}
    assert index.entities["usa"].name == "USA"


def test_kb_ids_keep_products_apart_from_their_makers():
    forms = [MentionForm("Nvidia", "ORG", "Nvidia", "nvidia"), MentionForm("H100", "PRODUCT", "H100", "nvidia-h100"),
             MentionForm("Nvidia H100", "PRODUCT"), MentionForm("Nvidias", "ORG")]
    ids = link_entities(forms, default_index(CONFIG))
    assert [ids[f] for f in forms] == ["nvidia", "nvidia-h100", "nvidia-h100", "nvidia"]


def test_near_identical_spellings_merge_only_when_embeddings_do_not_object(name_vectors):
    forms = [MentionForm("Kestrel Research", "ORG"), MentionForm("Kestrel Reserch", "ORG"),
             MentionForm("Samsung", "ORG"), MentionForm("Samsun", "LOC"), MentionForm("Samsun", "ORG"),
             MentionForm("Voka Q561", "PRODUCT"), MentionForm("Voka Q562", "PRODUCT")]
    index = bare_index()
    ids = link_entities(forms, index, name_vectors=name_vectors)
    assert ids[forms[0]] == ids[forms[1]]
    assert ids[forms[0]] in ("org:kestrel-research", "org:kestrel-reserch")
    assert ids[forms[2]] != ids[forms[4]]          # a city, not a typo of the company
    assert ids[forms[5]] != ids[forms[6]]          # digits differ: different products
    no_vectors = link_entities(forms[:2], bare_index())
    assert no_vectors[forms[0]] != no_vectors[forms[1]]   # without embeddings, no fuzzy merges


def test_alias_file_overrides_merge_and_never(tmp_path):
    aliases = tmp_path / "aliases.toml"
    aliases.write_text(
        '[[merge]]\nnames = ["Yuezhi Anmian", "Moonshot AI", "月之暗面"]\ntype = "ORG"\n\n'
        '[[never]]\nnames = ["Nvidia", "Nvidia-Chips"]\n', encoding="utf-8")
    rules = load_alias_rules(aliases, CONFIG.names_path)
    index = bare_index(rules)
    forms = [MentionForm("Moonshot AI", "ORG"), MentionForm("月之暗面", "ORG"), MentionForm("Yuezhi Anmian", "ORG"),
             MentionForm("Nvidia", "ORG"), MentionForm("Nvidia-Chips", "PRODUCT"), MentionForm("Nvidias", "ORG")]
    ids = link_entities(forms, index)
    assert ids[forms[0]] == ids[forms[1]] == ids[forms[2]] == "org:yuezhi-anmian"
    assert index.entities["org:yuezhi-anmian"].name == "Yuezhi Anmian"
    assert ids[forms[4]] != ids[forms[3]] == ids[forms[5]]


def test_the_shipped_alias_file_parses_and_keeps_meta_apart_from_the_metaverse():
    rules = load_alias_rules(CONFIG.aliases_path, CONFIG.names_path)
    assert frozenset({"meta", "metaverse"}) in rules.never
    index = build_index(RULES, rules)
    ids = link_entities([MentionForm("Meta", "ORG"), MentionForm("Metaverse", "ORG")], index)
    assert len(set(ids.values())) == 2


def test_ids_are_stable_when_an_index_already_knows_the_entity():
    index = bare_index()
    first = link_entities([MentionForm("Jiazi Guangnian", "MEDIA")], index)
    again = link_entities([MentionForm("Jiazi Guangnians", "MEDIA"), MentionForm("JIAZI GUANGNIAN", "ORG")], index)
    assert set(first.values()) == set(again.values()) == {"org:jiazi-guangnian"}


def _roles(rec, mentions=(), text=None):
    index = default_index(CONFIG)
    forms = [mention_form(e) for e in rec.claim.entities] + [MentionForm(n) for n in rec.claim.attributed_to]
    nearby = [(MentionForm(m.text, m.label, m.canonical, m.kb_id), m.start, m.end) for m in mentions]
    resolved = link_entities(forms + [f for f, _, _ in nearby], index)
    return claim_roles(rec, resolved, index, nearby, text)


def test_claim_roles_subject_sources_and_other_entities():
    rec = record("c1", "a1", "chipcode.example", "2025-03-05", C(
        "Laut Jiazi Guangnian liegen bei Nvidia-Servern in China bis zu 80 Prozent brach.", "bis zu 80 Prozent",
        80, unit="percent", qualifier="upper_bound", subject="China",
        entities=[Ent("Jiazi Guangnian", "MEDIA", "jiazi-guangnian", "Jiazi Guangnian"),
                  Ent("Nvidia", "ORG", "nvidia", "Nvidia"), Ent("China", "LOC", "china", "China")],
        attributed_to=["Jiazi Guangnian"]))
    assert _roles(rec) == {"jiazi-guangnian": "attributed_to", "nvidia": "mentioned", "china": "subject"}


def test_a_sentence_without_entities_is_about_the_entities_of_the_sentence_before():
    text = ("Auslöser war das Modell R1 von DeepSeek, das laut Kestrel mit US-Modellen mithält.\n"
            "Besonders brisant ist der Preis. Die Entwicklung kostete angeblich nur 5,6 Mio. US-Dollar.")
    claim_sentence = "Die Entwicklung kostete angeblich nur 5,6 Mio. US-Dollar."
    rec = record("c1", "a1", "boerse.example", "2025-01-27",
                 C(claim_sentence, "5,6 Mio. US-Dollar", 5.6e6, hedged=True), text=text)
    mentions = []
    for surface, label, kb in (("R1", "PRODUCT", "deepseek-r1"), ("DeepSeek", "ORG", "deepseek"),
                               ("Kestrel", "PER", None)):
        start = text.index(surface)
        mentions.append(Ent(surface, label, kb))
        mentions[-1] = type("M", (), {"text": surface, "label": label, "canonical": None, "kb_id": kb,
                                      "start": start, "end": start + len(surface)})
    roles = _roles(rec, mentions, text)
    assert roles == {"deepseek-r1": "about", "deepseek": "about"}      # never the person
