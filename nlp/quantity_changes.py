"""Which quantities state a change ("sank um 27 %") rather than a level ("auf 2,6 Prozent").

Why a module: the same number is a level or the size of a change depending on
the words around it, and downstream contradiction checks must not compare a
change with a level. A quantity is a change ("decrease"/"increase") when:
- a signed percentage is written ("+5 %", "-3 %");
- a change noun stands right before it, possibly with a link word and a few
  words between ("ein Plus von 3 %", "Verlust an Marktwert von 589 Mrd.",
  "Anstieg der Preise um 2 %", "up 5%", "a decline of 4%");
- a change verb stands earlier in its clause, at most a few words before
  ("verloren an diesem Tag 17 %", "fell 3%", "wiping out $1 trillion");
- it follows a link word ("um", "by") and the direction comes later in the
  clause ("ging um 0,3 Prozentpunkte auf 2,6 Prozent zurück");
- a change word follows it ("um 5 % gestiegen", "7.000 Stellen streichen",
  "a 6% drop", "5% lower");
- a comparison to a reference follows ("7 Prozent unter dem Niveau", "2,3
  Prozent weniger als", "5% above last year's level");
- it is joined by "oder"/"or" to a change ("17% oder 589 Milliarden Dollar").
It is not a change when it is the new level ("auf 300 000 GBP", "to 4.5%"), the
old level ("von 5.000 auf ..."), a multiple, or money after a loss verb
("lost $300 million" is a loss, not a change of something).
"""
from __future__ import annotations

from nlp.quantity_lexicon import QuantityLexicon, norm
from nlp.quantity_mentions import (CLAUSE_END_CHARS, OPENERS, Mention, bare, clause_tokens_before,
                                   ends_clause, prev_word, tokens_after)

_CLAUSE_WINDOW = 90
_LINKED_LOOKAHEAD = 12      # tokens searched after "um X" for the verb particle
_COORDINATION = frozenset({"oder", "or", "bzw.", "beziehungsweise", ","})
_SIGNED_UNITS = frozenset({"percent", "percentage_points"})


def mark_changes(ms: list[Mention], text: str, lex: QuantityLexicon) -> None:
    prev_end = 0
    for i, mn in enumerate(ms):
        mn.change = _change_of(mn, text, lex, prev_end)
        if mn.change is None and i > 0 and ms[i - 1].change and mn.unit != "multiple" \
                and mn.start - ms[i - 1].end < 24 \
                and _coordinated(text[ms[i - 1].end:mn.start]):
            mn.change = ms[i - 1].change            # "verloren 17% oder 589 Mrd. Dollar", "fell 450 points, or 1.1%"
        prev_end = mn.outer_end


def _coordinated(gap: str) -> bool:
    """Is the text between two quantities only "oder"/"or"/a comma (", or")?"""
    words = norm(gap).replace(",", " , ").split()
    return bool(words) and all(w in _COORDINATION for w in words)


def _change_of(mn: Mention, text: str, lex: QuantityLexicon, prev_end: int) -> str | None:
    if mn.kind == "mverb":
        return "increase" if mn.base > 1 else "decrease"   # "verdreifacht", "tripled"
    if mn.unit == "multiple" or mn.level:
        return None
    if mn.sign and mn.unit in _SIGNED_UNITS:
        return "decrease" if mn.base < 0 else "increase"
    start = mn.outer_start
    before = prev_word(text, start)
    if before in lex.level_to or prev_word(text, mn.start) in lex.old_level_markers:
        return None                                 # "auf 300 000 GBP", "down from 180,000 yuan"
    if mn.lead in lex.level_from and _level_follows(text, mn.outer_end, lex):
        return None                                 # "von etwa 120 Mrd. ... auf ...": the old level
    if mn.qualifier_text in lex.positional_bounds and _change_verb(before, lex):
        return None                                 # "fiel unter 1.000 Punkte": the new level
    toks = clause_tokens_before(text, mn.start, prev_end, _CLAUSE_WINDOW, lex.abbreviations)
    return (_adjacent_change(toks, lex)
            or change_cue_before(mn, text, lex, prev_end, toks if not mn.lead else None)
            or _change_after(text, mn, lex, before in lex.change_links)
            or _comparison_after(text, mn, lex))


def _change_verb(token: str, lex: QuantityLexicon) -> bool:
    return token.strip(OPENERS + CLAUSE_END_CHARS).lower() in lex.change_clause


def _level_follows(text: str, pos: int, lex: QuantityLexicon) -> bool:
    """Does a new-level word ("auf", "to") follow within a few words of the same clause?"""
    for n, token in enumerate(tokens_after(text, pos, 50, lex.abbreviations)):
        if token.lower() in lex.level_to:
            return True
        if n >= 5:
            return False
    return False


def _adjacent_change(toks: list[str], lex: QuantityLexicon) -> str | None:
    """A change noun right before the quantity, or a few words before its link word."""
    toks = toks[-8:]
    if not toks:
        return None
    lowered = [t.lower() for t in toks]
    for n in range(min(lex.max_adjacent_tokens, len(toks)), 0, -1):   # "decline of", "up"
        direction = _adjacent_cue(toks[-n:], lex)
        if direction:
            return direction
    for n in (3, 2, 1):                             # "in Höhe von", "um", "by"
        if len(toks) > n and " ".join(lowered[-n:]) in lex.change_links:
            head = toks[:-n][-4:]
            for k in range(len(head)):
                for width in (3, 2, 1):
                    direction = _adjacent_cue(head[k:k + width], lex) if k + width <= len(head) else None
                    if direction:
                        return direction
            return None
    return None


def _adjacent_cue(tokens: list[str], lex: QuantityLexicon) -> str | None:
    if lex.compound_adjacent:                       # German nouns: as written, or ending a compound
        joined = " ".join(tokens).lstrip(OPENERS)
        if joined in lex.change_adjacent:
            return lex.change_adjacent[joined]      # "Verlust an Marktwert"
        if len(tokens) != 1:
            return None
        token = joined
        if token[:1].isupper():
            low = token.lower()
            for cue, direction in lex.compound_cues:
                if low.endswith(cue) and len(low) > len(cue) + 2:
                    return direction                # "Umsatzplus", "Stellenabbau"
        return None
    key = " ".join(tokens).lstrip(OPENERS).lower()
    return lex.change_adjacent.get(key)


def change_cue_before(mn: Mention, text: str, lex: QuantityLexicon, lo: int = 0,
                      toks: list[str] | None = None) -> str | None:
    """Direction of a change verb in the clause before `mn` ("sank ... um 27 %")."""
    if toks is None:
        toks = clause_tokens_before(text, mn.outer_start, lo, _CLAUSE_WINDOW, lex.abbreviations)
    words = 0
    for token in reversed(toks):
        word = token.strip(OPENERS + CLAUSE_END_CHARS) if lex.clause_case_sensitive else bare(token)
        if word in lex.change_clause:
            if mn.money and word in lex.not_for_money:
                return None                          # "lost $300 million": a loss
            return lex.change_clause[word]
        if word in lex.clause_stops:
            return None
        words += 1
        if words > lex.max_gap_words:
            return None
    return None


def _change_after(text: str, mn: Mention, lex: QuantityLexicon, linked: bool) -> str | None:
    """A change word after the quantity ("um 5 % gestiegen", "Stellen streichen", "a 6% drop")."""
    pos = mn.outer_end
    after = lex.change_after_re.match(text, pos)
    if after and not any(w.lower() in lex.clause_stops for w in after.group("gap").split()):
        gap = len(after.group("gap").split())
        if after.group("cue") and (linked or gap < lex.max_after_words):
            return lex.change_after[norm(after.group("cue"))]
        if after.group("particle") and linked:
            return lex.change_after_with_link[norm(after.group("particle"))]
    if not linked:
        return None
    # "ging um 0,3 Prozentpunkte auf 2,6 Prozent zurück": the verb part ends the clause
    toks = tokens_after(text, pos, 120, lex.abbreviations)[:_LINKED_LOOKAHEAD]
    text_end = text.rstrip()
    for i, token in enumerate(toks):
        word = bare(token)
        last = ends_clause(token, lex.abbreviations) or (i == len(toks) - 1 and text_end.endswith(token))
        if word in lex.clause_stops:
            return None
        if word in lex.change_after:
            return lex.change_after[word]
        if last:
            return lex.change_after_with_link.get(word)
    return None


def _comparison_after(text: str, mn: Mention, lex: QuantityLexicon) -> str | None:
    """ "7 Prozent unter dem Niveau", "2,3 Prozent weniger als", "5% above last year"."""
    toks = tokens_after(text, mn.outer_end, 60, lex.abbreviations)
    if len(toks) < 2 or ends_clause(toks[0], lex.abbreviations):
        return None
    first = 0
    if bare(toks[0]) not in lex.comparison_after and lex.compound_adjacent and toks[0][:1].isupper():
        first = 1                                   # "42.000 Verkehrstote weniger als 1970"
    direction = lex.comparison_after.get(bare(toks[first])) if first < len(toks) else None
    if direction is None:
        return None
    for token in toks[first + 1:first + 4]:
        if bare(token) in lex.comparison_references:
            return direction
    return None
