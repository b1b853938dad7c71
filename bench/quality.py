"""Quality of per-sentence claim extraction against hand-annotated sentence sets.

    python -m bench.quality tests/annotations/heldout_de.jsonl tests/annotations/heldout_en.jsonl
    python -m bench.quality --errors none tests/annotations/sentences_*.jsonl

Why a separate scorer: the pytest checks only say pass/fail at a threshold; an
audit needs the figures (quantity precision/recall/F1, qualifier, attribution
and hedging accuracy) and every error, per language, to find the causes.

Rows are in the format of `tests/annotations/sentences_de.jsonl` (one object per
sentence with a `quantities` list) or of `samples.jsonl` (one object per
quantity); both are grouped by (lang, sentence). Each sentence is analyzed on
its own with `nlp.analyze.Analyzer`, whose claims carry the quantity fields and
the claim-level `attributed_to` / `hedged`.

Matching (per sentence, one-to-one): a claim matches a gold quantity when the
spans are equal or overlap, the value is within 0.5 % and the unit is equal;
equal spans are paired first. Qualifier and hedging accuracy are taken over
matched quantities; attribution accuracy over matched quantities whose gold
`attributed_to` names a source (the bar), and spurious sources on the others are
counted separately. Source names are compared loosely (case, quotes, German
inflection endings, a descriptor before the name: "Forscher der Universität
Heidelberg" ~ "Universität Heidelberg"), because the name's surface form is not
what the bar measures.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

VALUE_TOLERANCE = 5e-3
_NAME_WORD = re.compile(r"[^\W_]+")
_NAME_STOP = frozenset({"der", "die", "das", "des", "dem", "den", "the", "of", "for", "für", "von", "vom"})


@dataclass
class Gold:
    span: str
    start: int
    end: int
    row: dict


@dataclass
class Found:
    span: str
    start: int
    end: int
    value: float
    unit: str
    qualifier: str
    attributed_to: list[str]
    hedged: bool
    change: str | None = None


@dataclass
class Score:
    """Counts for one slice (a language, a file, a unit)."""

    gold: int = 0
    found: int = 0
    matched: int = 0
    qualifier_ok: int = 0
    hedged_ok: int = 0
    sourced: int = 0
    sourced_ok: int = 0
    unsourced: int = 0
    spurious_source: int = 0

    def add(self, other: "Score") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float | None]:
        p = self.matched / self.found if self.found else 1.0
        r = self.matched / self.gold if self.gold else 1.0
        return {
            "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "qualifier": _ratio(self.qualifier_ok, self.matched),
            "attribution": _ratio(self.sourced_ok, self.sourced),
            "spurious_source": _ratio(self.spurious_source, self.unsourced),
            "hedging": _ratio(self.hedged_ok, self.matched),
        }


@dataclass
class Result:
    by_lang: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_unit: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    errors: list[str] = field(default_factory=list)

    def total(self) -> Score:
        total = Score()
        for score in self.by_lang.values():
            total.add(score)
        return total


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def read_sentences(paths: list[Path]) -> list[tuple[str, str, list[dict]]]:
    """(lang, sentence, gold quantities) for every annotated sentence, in file order."""
    rows: dict[tuple[str, str], list[dict]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                gold = rows.setdefault((row["lang"], row["sentence"]), [])
                for q in row["quantities"] if "quantities" in row else [row]:
                    # a sentence repeated in two sample files is annotated twice; a span is one quantity
                    if all(q["span"] != other["span"] for other in gold):
                        gold.append(q)
    return [(lang, sentence, gold) for (lang, sentence), gold in rows.items()]


def found_in(analyzer, sentence: str, lang: str) -> list[Found]:
    """The analyzer's claims for one sentence, analyzed as a document of its own."""
    return [Found(c.span, c.start, c.end, c.value, c.unit, c.qualifier, list(c.attributed_to), c.hedged, c.change)
            for c in analyzer.analyze(sentence, lang=lang).claims]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b)) or a == b


def _pairs(gold: list[Gold], found: list[Found]) -> list[tuple[Gold, Found]]:
    """One-to-one pairs: equal spans first, then overlapping spans (earliest first)."""
    pairs, used_g, used_f = [], set(), set()
    for same_span in (True, False):
        for gi, g in enumerate(gold):
            if gi in used_g:
                continue
            for fi, f in enumerate(found):
                if fi in used_f or not _close(f.value, g.row["value"]) or f.unit != g.row["unit"]:
                    continue
                if (f.span == g.span) if same_span else (f.start < g.end and g.start < f.end):
                    pairs.append((g, f))
                    used_g.add(gi)
                    used_f.add(fi)
                    break
    return pairs


def _name_key(name: str) -> set[str]:
    """Word stems of a source name: lowercase, first five letters, function words dropped."""
    return {w[:5] for w in _NAME_WORD.findall(name.lower()) if w not in _NAME_STOP}


def _same_source(a: str, b: str) -> bool:
    ka, kb = _name_key(a), _name_key(b)
    return bool(ka and kb) and (ka <= kb or kb <= ka)


def same_sources(gold: list[str], found: list[str]) -> bool:
    """Every gold source is found and every found source is a gold one (names compared loosely)."""
    return all(any(_same_source(g, f) for f in found) for g in gold) \
        and all(any(_same_source(g, f) for g in gold) for f in found)


def _describe(f: Found) -> str:
    return f"{f.span!r}={f.value:g} {f.unit} {f.qualifier}"


def score_sentence(lang: str, sentence: str, gold_rows: list[dict], found: list[Found],
                   result: Result) -> None:
    gold = []
    for row in gold_rows:
        start = sentence.find(row["span"])
        gold.append(Gold(row["span"], start, start + len(row["span"]), row))
    score = result.by_lang[lang]
    score.gold += len(gold)
    score.found += len(found)
    pairs = _pairs(gold, found)
    matched_g = {id(g) for g, _ in pairs}
    matched_f = {id(f) for _, f in pairs}
    head = f"[{lang}] {sentence}"
    for g in gold:
        unit = result.by_unit[g.row["unit"]]
        unit.gold += 1
        if id(g) not in matched_g:
            near = [_describe(f) for f in found if f.start < g.end and g.start < f.end]
            result.errors.append(f"MISSED {g.span!r}={g.row['value']:g} {g.row['unit']} "
                                 f"{('got ' + ', '.join(near)) if near else ''}\n    {head}")
    for f in found:
        if id(f) not in matched_f:
            result.by_unit[f.unit].found += 1
            result.errors.append(f"SPURIOUS {_describe(f)}\n    {head}")
    for g, f in pairs:
        row = g.row
        unit = result.by_unit[row["unit"]]
        unit.matched += 1
        unit.found += 1
        score.matched += 1
        if f.qualifier == row["qualifier"]:
            score.qualifier_ok += 1
        else:
            result.errors.append(f"QUALIFIER {g.span!r}: {f.qualifier}, gold {row['qualifier']}\n    {head}")
        if f.hedged == row["hedged"]:
            score.hedged_ok += 1
        else:
            result.errors.append(f"HEDGED {g.span!r}: {f.hedged}, gold {row['hedged']}\n    {head}")
        if row["attributed_to"]:
            score.sourced += 1
            if same_sources(row["attributed_to"], f.attributed_to):
                score.sourced_ok += 1
            else:
                result.errors.append(f"SOURCE {g.span!r}: {f.attributed_to}, gold {row['attributed_to']}\n    {head}")
        else:
            score.unsourced += 1
            if f.attributed_to:
                score.spurious_source += 1
                result.errors.append(f"SPURIOUS SOURCE {g.span!r}: {f.attributed_to}\n    {head}")


def evaluate(paths: list[Path], analyzer=None) -> Result:
    """Score the analyzer on every sentence of `paths`."""
    if analyzer is None:
        from nlp.analyze import Analyzer
        analyzer = Analyzer()
    result = Result()
    for lang, sentence, gold in read_sentences(paths):
        score_sentence(lang, sentence, gold, found_in(analyzer, sentence, lang), result)
    return result


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def report(result: Result, show_errors: bool = True, out=sys.stdout) -> None:
    columns = ("precision", "recall", "f1", "qualifier", "attribution", "hedging", "spurious_source")
    print(f"{'slice':<12}{'gold':>6}{'found':>6}{'match':>6}  " + " ".join(f"{c[:11]:>11}" for c in columns), file=out)
    rows = sorted(result.by_lang.items()) + [("all", result.total())]
    for name, score in rows:
        figures = score.figures()
        print(f"{name:<12}{score.gold:>6}{score.found:>6}{score.matched:>6}  "
              + " ".join(f"{_fmt(figures[c]):>11}" for c in columns), file=out)
    print("\nby unit (precision/recall/F1):", file=out)
    for unit, score in sorted(result.by_unit.items(), key=lambda kv: -kv[1].gold):
        f = score.figures()
        print(f"  {unit:<18}{score.gold:>5}{score.found:>5}{score.matched:>5}  "
              f"{_fmt(f['precision'])} {_fmt(f['recall'])} {_fmt(f['f1'])}", file=out)
    if show_errors:
        print(f"\n{len(result.errors)} errors:", file=out)
        for error in result.errors:
            print("- " + error, file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="annotation files (jsonl)")
    parser.add_argument("--errors", choices=("all", "none"), default="all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = evaluate(args.files)
    if args.json:
        figures = {name: score.figures() for name, score in result.by_lang.items()}
        figures["all"] = result.total().figures()
        print(json.dumps(figures, indent=1))
    else:
        report(result, show_errors=args.errors == "all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
