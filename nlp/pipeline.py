"""Build the spaCy pipeline for one language: tokenizer + our components.

Trained spaCy models are optional (nothing may be downloaded), so the default
is `spacy.blank(lang)` with three rule components whose data lives in
`nlp/data/`: `newsgraph_sentences`, `newsgraph_gazetteer` and
`newsgraph_entity_rules`. When `PipelineConfig` names a trained pipeline for
the language and it is installed, it is loaded instead and its entities are
merged under ours. Languages spaCy has no class for fall back to the
multi-language blank ("xx") with the same components.
"""
from __future__ import annotations

import spacy
from spacy.lang.char_classes import ALPHA, HYPHENS
from spacy.language import Language
from spacy.util import compile_infix_regex, get_lang_class, is_package

# Importing registers the component factories with spaCy.
from nlp import entity_rules as _entity_rules  # noqa: F401
from nlp import gazetteer as _gazetteer  # noqa: F401
from nlp import sentences as _sentences  # noqa: F401
from nlp.config import PipelineConfig

# Split "Nvidia-Chips" / "US-Exportverbote" at the hyphen so that entity aliases
# match inside German compounds; English already has this infix.
_HYPHEN_INFIX = r"(?<=[{a}0-9])(?:{h})(?=[{a}])".format(a=ALPHA, h=HYPHENS)


def _blank(lang: str) -> Language:
    try:
        get_lang_class(lang)
    except Exception:  # spaCy has no language class for it: multi-language tokenizer
        return spacy.blank("xx")
    return spacy.blank(lang)


def _trained(name: str | None) -> Language | None:
    if not name or not is_package(name):
        return None
    return spacy.load(name, exclude=["lemmatizer"])


def _split_hyphen_compounds(nlp: Language) -> None:
    infixes = list(nlp.Defaults.infixes or [])
    if _HYPHEN_INFIX not in infixes:
        infixes.append(_HYPHEN_INFIX)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def build_pipeline(lang: str, config: PipelineConfig) -> Language:
    """A pipeline for `lang` ("de", "en", other ISO codes, or "und")."""
    nlp = _trained(config.model_for(lang)) or _blank(lang)
    _split_hyphen_compounds(nlp)
    nlp.max_length = config.max_length
    data_dir = str(config.data_path)
    component_config = {"data_dir": data_dir, "lang": lang}
    nlp.add_pipe("newsgraph_sentences", config={"data_dir": data_dir, "lang": lang}, first=True)
    nlp.add_pipe("newsgraph_gazetteer", config=component_config)
    nlp.add_pipe("newsgraph_entity_rules", config=component_config)
    return nlp
