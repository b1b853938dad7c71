"""Where each claim came from: publisher, attribution chain, citations, copies, first reporter.

A networkx DiGraph holds the evidence: claim -stated_in-> article
-published_by-> source; claim -attributed_to-> entity ("laut 36Kr"); article
-copies-> article (graph.copies); article -cites-> article / source / entity /
external target ("Quelle: ..." lines, links to other outlets). A claim's
chain is the walk from the claim along these edges; a fact's first reporter is
the earliest article among its members that does not itself copy or cite
another member (earliest published, ties by ingestion order).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

import networkx as nx

from graph.copies import ArticleRef
from graph.link_types import CopyLink, Flag
from graph.types import ClaimRecord

_MAX_DEPTH = 6
_MAX_STEPS = 12
_DERIVED = ("copies", "cites")


@dataclass(frozen=True)
class CitationRef:
    """A citation of an article, resolved where possible: kind is source_line | link | attribution."""

    article_id: str
    kind: str
    target: str
    resolved: str | None = None     # node key: "a:<article>", "s:<source>", "e:<entity>"


def claim_node(cid: str) -> str:
    return f"c:{cid}"


def article_node(aid: str) -> str:
    return f"a:{aid}"


def provenance_graph(claims: list[ClaimRecord], articles: dict[str, ArticleRef],
                     roles: dict[str, dict[str, str]], entity_names: dict[str, str],
                     copies: list[CopyLink], citations: list[CitationRef]) -> nx.MultiDiGraph:
    """Claims, articles, sources, entities and citation targets; edges carry `rel`.

    A multigraph: an article may both copy and cite (link to) the same original.
    """
    g = nx.MultiDiGraph()
    for aid, ref in articles.items():
        g.add_node(article_node(aid), kind="article", source=ref.source, published=ref.published,
                   rank=ref.rank)
        g.add_node(f"s:{ref.source}", kind="source", name=ref.source)
        g.add_edge(article_node(aid), f"s:{ref.source}", rel="published_by")
    for rec in claims:
        g.add_node(claim_node(rec.claim_id), kind="claim")
        g.add_edge(claim_node(rec.claim_id), article_node(rec.article_id), rel="stated_in")
        for eid, role in sorted(roles.get(rec.claim_id, {}).items()):
            if role == "attributed_to":
                g.add_node(f"e:{eid}", kind="entity", name=entity_names.get(eid, eid))
                g.add_edge(claim_node(rec.claim_id), f"e:{eid}", rel="attributed_to")
    for link in copies:
        g.add_edge(article_node(link.article_a), article_node(link.article_b), rel="copies",
                   similarity=link.similarity)
    cited = set()
    for cit in citations:
        target = cit.resolved or f"x:{cit.target}"
        source = article_node(cit.article_id)
        if target == source or (source, target) in cited:
            continue
        cited.add((source, target))
        if target not in g:
            g.add_node(target, kind="external" if target.startswith("x:") else target[0], name=cit.target)
        g.add_edge(source, target, rel="cites", kind=cit.kind, text=cit.target)
    return g


def chain(g: nx.MultiDiGraph, claim_id: str) -> list[dict]:
    """The claim's provenance as steps: who published it, who it is attributed to, what the article
    copies or cites, and further back along copies and citations of those articles."""
    return ChainBuilder(g).chain(claim_id)


class ChainBuilder:
    """Provenance chains of many claims over one graph; the article part is walked once per article."""

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self._articles: dict[str, list[dict]] = {}

    def chain(self, claim_id: str) -> list[dict]:
        g, start = self.g, claim_node(claim_id)
        if start not in g:
            return []
        steps: list[dict] = []
        article = None
        for _, target, data in sorted(g.out_edges(start, data=True), key=lambda e: e[1]):
            if data["rel"] == "stated_in":
                article = target
                art = g.nodes[target]
                steps.append({"rel": "published_by", "source": art.get("source"), "article": target[2:],
                              "published": art.get("published")})
            elif data["rel"] == "attributed_to":
                steps.append({"rel": "attributed_to", "entity": target[2:], "name": g.nodes[target].get("name")})
        if article:
            if article not in self._articles:
                self._articles[article] = self._article_steps(article)
            steps += self._articles[article][: max(0, _MAX_STEPS - len(steps))]
        return steps

    def _article_steps(self, article: str) -> list[dict]:
        """Breadth-first along copies and citations from the claim's article."""
        g, steps = self.g, []
        expanded = {article}
        frontier = [(article, 0)]
        while frontier and len(steps) < _MAX_STEPS:
            node, depth = frontier.pop(0)
            if depth >= _MAX_DEPTH:
                continue
            for _, target, data in sorted(g.out_edges(node, data=True), key=lambda e: (e[2]["rel"], e[1])):
                if data["rel"] not in _DERIVED:
                    continue
                node_data = g.nodes[target]
                step = {"rel": data["rel"], "from_article": node[2:], "target": target,
                        "name": node_data.get("name") or node_data.get("source")}
                if data["rel"] == "copies":
                    step["similarity"] = data.get("similarity")
                steps.append(step)
                if target.startswith("a:") and target not in expanded:
                    expanded.add(target)
                    frontier.append((target, depth + 1))
        return steps


class DerivedIndex:
    """Which articles copy or cite which, built once per run from the provenance graph.

    Corroboration between two articles where one repeats or cites the other
    (directly or through others) is not independent.
    """

    def __init__(self, g: nx.MultiDiGraph):
        self.sub = nx.DiGraph((u[2:], v[2:]) for u, v, d in g.edges(data=True)
                              if d["rel"] in _DERIVED and u.startswith("a:") and v.startswith("a:"))
        self._nodes = set(self.sub.nodes)
        self._reach: dict[str, set[str]] = {}

    def pairs(self, article_ids: set[str]) -> set[frozenset[str]]:
        """Pairs of these articles where one copies or cites the other."""
        nodes = article_ids & self._nodes if len(article_ids) > 1 else set()
        out = set()
        for n in nodes:
            if n not in self._reach:
                self._reach[n] = nx.descendants(self.sub, n)
            out.update(frozenset((n, m)) for m in self._reach[n] & nodes)
        return out


def first_reporter(members: list[ClaimRecord], g: nx.MultiDiGraph, ranks: dict[str, int]) -> ClaimRecord:
    """The member claim of the earliest article that did not take it from another member's article."""
    member_articles = {m.article_id for m in members}
    nodes = {article_node(a) for a in member_articles}
    derived = set()
    for a in nodes:
        if a in g and any(d["rel"] in _DERIVED and t in nodes and t != a for _, t, d in g.out_edges(a, data=True)):
            derived.add(a[2:])
    pool = [m for m in members if m.article_id not in derived] or members

    def key(m: ClaimRecord):
        return (m.published is None, m.published or "", ranks.get(m.article_id, 0), m.claim.start)

    return min(pool, key=key)


# -- flags ------------------------------------------------------------------

def _flag_id(kind: str, *parts: str) -> str:
    return hashlib.sha1("\x1f".join([kind, *parts]).encode()).hexdigest()[:16]


def hedged_flag(rec: ClaimRecord) -> Flag:
    c = rec.claim
    return Flag(
        id=_flag_id("hedged", rec.claim_id), kind="hedged", severity="low",
        reason=(f"{rec.source} reports '{c.span}' with hedging wording: the outlet does not vouch "
                f"for the figure ({c.text.strip()[:200]})"),
        claim_a=rec.claim_id, article_a=rec.article_id,
        data={"sentence": c.text, "span": c.span, "source": rec.source, "url": rec.url,
              "published": rec.published, "attributed_to": c.attributed_to},
    )


def ai_flag(ref: ArticleRef, url: str, disclosure: str) -> Flag:
    return Flag(
        id=_flag_id("ai_generated", ref.article_id), kind="ai_generated", severity="medium",
        reason=f"{ref.source} discloses that the article was generated automatically: \"{disclosure.strip()[:300]}\"",
        article_a=ref.article_id,
        data={"disclosure": disclosure, "source": ref.source, "url": url, "published": ref.published},
    )


def copy_flag(link: CopyLink, refs: dict[str, ArticleRef]) -> Flag:
    a, b = refs[link.article_a], refs[link.article_b]
    snippet = link.shared_text if len(link.shared_text) <= 240 else link.shared_text[:237] + "..."
    return Flag(
        id=_flag_id("copy", link.article_a, link.article_b), kind="copy",
        severity="medium" if link.similarity >= 0.5 else "low",
        reason=(f"{a.source} ({(a.published or 'undated')[:10]}) repeats text of {b.source} "
                f"({(b.published or 'undated')[:10]}): {link.similarity:.0%} of its word sequences, "
                f"e.g. \"{snippet}\""),
        article_a=link.article_a, article_b=link.article_b,
        data={"similarity": link.similarity, "shared_text": link.shared_text,
              "shared_shingles": link.shared_shingles, "copier_source": a.source,
              "original_source": b.source, "copier_published": a.published,
              "original_published": b.published},
    )


def resolve_citation(article_id: str, kind: str, target: str, articles_by_url: dict[str, str],
                     sources_by_domain: dict[str, str], entity_of_name) -> CitationRef:
    """Point a citation at a known article (by URL), outlet (by domain) or entity (by name)."""
    resolved = None
    if target.startswith(("http://", "https://")):
        url = target.split("#")[0].rstrip("/")
        if url in articles_by_url:
            resolved = article_node(articles_by_url[url])
        else:
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            if host in sources_by_domain:
                resolved = f"s:{sources_by_domain[host]}"
    else:
        eid = entity_of_name(target)
        if eid:
            resolved = f"e:{eid}"
    return CitationRef(article_id, kind, target, resolved)
