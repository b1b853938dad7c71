"""Incremental grouping does work for the new claims only: facts they never meet are not read."""
from __future__ import annotations

import graph.fact_union as fact_union
from graph.claim_features import ClaimFeatures
from graph.facts import cluster, components
from graph.link_config import LinkConfig

CONFIG = LinkConfig()


def claim(cid: str, article: str, measure: str, subject: str, value: float) -> ClaimFeatures:
    return ClaimFeatures(claim_id=cid, article_id=article, measure_key=measure, family="money", per=None,
                         change=None, subject=subject, context=frozenset({subject}), value=value,
                         sentence=(article, 0))


def test_a_new_claim_reads_the_evidence_of_the_facts_it_meets_only(monkeypatch):
    # 30 measures, each with two existing facts of three claims (one article per claim)
    feats, initial = [], []
    for k in range(30):
        for subject, value in ((f"s{k}a", 10.0), (f"s{k}b", 1000.0)):
            start = len(feats)
            feats += [claim(f"c{start + i}", f"a{start + i}", f"m{k}", subject, value) for i in range(3)]
            initial.append(list(range(start, start + 3)))
    feats.append(claim("new", "a-new", "m0", "s0a", 10.2))
    new = len(feats) - 1

    read = []
    sentence_key = fact_union.sentence_key
    monkeypatch.setattr(fact_union, "sentence_key", lambda f: read.append(f.claim_id) or sentence_key(f))
    uf = cluster(feats, {new}, None, CONFIG, initial)

    assert [0, 1, 2, new] in components(uf, len(feats))         # joins the fact of its subject
    assert len(components(uf, len(feats))) == len(initial)
    assert set(read) <= {"c0", "c1", "c2", "new"}                # no other fact's members were read
