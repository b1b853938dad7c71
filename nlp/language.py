"""Fast language identification from stopword profiles.

News text is dense with function words, so the share of a language's most common
words among the first few hundred tokens identifies it reliably and costs one
regex pass. The word lists live in `data/stopwords/<lang>.txt` (adding a file adds
a language). Words shared by several languages ("in", "die", "de") count
fractionally so they do not decide. The HTML `lang` hint only decides when the
text itself is too short or too close to call, because page templates often
carry a wrong site-wide `lang`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from nlp.config import DEFAULT_DATA_DIR
from nlp.resources import read_lines

UNDETERMINED = "und"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SAMPLE_CHARS = 3000      # ~400 words: a stable profile; keeps long texts cheap
_MIN_WORDS = 8            # below this, the profile is noise: trust the hint
_MIN_SCORE = 0.06         # share of (weighted) stopwords a real text of a language reaches
_MIN_MARGIN = 0.25        # relative lead over the runner-up needed to overrule a hint


@lru_cache(maxsize=8)
def _profiles(data_dir: str) -> dict[str, float | dict[str, float]]:
    """word -> {lang: weight}; a word in k languages weighs 1/k for each."""
    folder = Path(data_dir) / "stopwords"
    langs: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        langs[path.stem] = {w.lower() for w in read_lines(str(path)) if " " not in w}
    index: dict[str, dict[str, float]] = {}
    for lang, words in langs.items():
        for w in words:
            index.setdefault(w, {})[lang] = 1.0
    for w, owners in index.items():
        share = 1.0 / len(owners)
        for lang in owners:
            owners[lang] = share
    return index


def normalize_lang(code: str | None) -> str | None:
    """"de-DE" / "de_AT" / "DE" -> "de"; empty or malformed -> None."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return base if re.fullmatch(r"[a-z]{2,3}", base) else None


def language_scores(text: str, data_dir: Path | None = None) -> tuple[dict[str, float], int]:
    """Weighted stopword share per language and the number of words looked at."""
    index = _profiles(str(data_dir or DEFAULT_DATA_DIR))
    words = _WORD.findall(text[:_SAMPLE_CHARS].lower())
    scores: dict[str, float] = {}
    for w in words:
        owners = index.get(w)
        if owners:
            for lang, weight in owners.items():
                scores[lang] = scores.get(lang, 0.0) + weight
    n = len(words)
    if n:
        scores = {lang: s / n for lang, s in scores.items()}
    return scores, n


def detect_language(text: str, hint: str | None = None, data_dir: Path | None = None) -> str:
    """ISO 639-1 code of `text` ("de", "en", ...), else the hint, else "und"."""
    hint_code = normalize_lang(hint)
    scores, n_words = language_scores(text, data_dir)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked:
        return hint_code or UNDETERMINED
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    decisive = (
        n_words >= _MIN_WORDS
        and best_score >= _MIN_SCORE
        and best_score >= runner_up * (1.0 + _MIN_MARGIN)
    )
    if decisive:
        return best
    if hint_code:
        return hint_code
    return best if best_score > 0 else UNDETERMINED
