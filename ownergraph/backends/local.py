"""The local backend: the workspace file plus the compact graph built from it, in this process.

The analyses are the plain functions of :mod:`ownergraph.analyses`; this module feeds them (graph,
targets, entity facts) and turns their results into the DESIGN.md §7 documents, citing each edge
with the workspace records behind it (:mod:`ownergraph.evidence`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ownergraph import evidence, lookup
from ownergraph.analyses import paths as path_search
from ownergraph.analyses.brokers import rank_brokers
from ownergraph.analyses.chains import (
    EntityFacts,
    TargetStatus,
    TracePath,
    TraceResult,
    shipment_days,
    trace,
)
from ownergraph.analyses.extension import sanctioned_by_extension
from ownergraph.backends import (
    TARGET_STRENGTH,
    PathQuery,
    TraceQuery,
    trace_fields,
    trace_query_document,
    trace_summary,
)
from ownergraph.errors import InputError
from ownergraph.graph import CSRGraph, load_graph
from ownergraph.graph.csr import KINDS
from ownergraph.workspace import Workspace

if TYPE_CHECKING:
    from ownergraph.exports.model import Selection
    from ownergraph.exports.selection import ExportRequest

_BATCH = 500


class LocalBackend:
    """Analyses over a workspace; the compact graph is built once per as-of day and reused."""

    name = "local"

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._graphs: dict[str, CSRGraph] = {}

    @classmethod
    def open(cls, path: Path) -> LocalBackend:
        return cls(Workspace(path))

    def close(self) -> None:
        self.workspace.close()

    def graph(self, as_of: str | None = None) -> CSRGraph:
        day = as_of or date.today().isoformat()
        if day not in self._graphs:
            self._graphs[day] = load_graph(self.workspace, as_of=day)
        return self._graphs[day]

    # -- lookups -------------------------------------------------------------------------------

    def search(self, text: str, *, country: str | None = None, limit: int = 20) -> dict[str, Any]:
        found = lookup.search(self.workspace, text, country=country, limit=limit)
        return {"results": [view.as_dict() for view in found]}

    def show(self, reference: str) -> dict[str, Any]:
        entity = self.find(reference)
        return lookup.describe(self.workspace, entity).as_dict()

    def find(self, reference: str) -> str:
        """The resolved entity a user's reference names (id, identifier or name)."""
        return lookup.canonical_id(self.workspace, lookup.find_entity(self.workspace, reference))

    def sanctioned_by_extension(self, regime: str, as_of: str | None) -> dict[str, Any]:
        return sanctioned_by_extension(self.workspace, regime, as_of).as_dict()

    # -- exports -------------------------------------------------------------------------------

    def export_selection(self, request: ExportRequest) -> Selection:
        # Imported on use: the exports need none of this for the analyses, and the other way.
        if request.everything:
            from ownergraph.exports.whole import WholeGraph

            return WholeGraph(self.workspace, request.filters.as_of)
        from ownergraph.exports.selection import around, from_document

        if request.document is not None:
            return from_document(request.document, self.workspace)
        graph = self.graph(request.filters.as_of)
        return around(self.workspace, request.seeds, request.hops, request.filters, graph=graph)

    # -- paths ---------------------------------------------------------------------------------

    def paths(self, source: str, target: str, query: PathQuery) -> dict[str, Any]:
        start, goal = self.find(source), self.find(target)
        g = self.graph(query.as_of)
        for entity in (start, goal):
            if entity not in g.index:
                raise InputError(f"{entity} has no links: no path can start or end there")
        filters = query.filters()
        try:
            if query.mode == "shortest":
                nodes = path_search.shortest_path(g, start, goal, **filters)
                found = [] if nodes is None else [_edges_of(g, tuple(nodes), query)]
            elif query.mode == "k":
                found = path_search.k_shortest_paths(g, start, goal, query.k, **filters)
            else:
                found = path_search.all_simple_paths(g, start, goal, **filters)
        except ValueError as error:
            raise InputError(str(error)) from None
        memo = _Memo(self.workspace)
        document = [self._path_document(g, path.nodes, path.edges, memo) for path in found]
        return {"query": {"source": start, "target": goal, **asdict(query)}, "paths": document}

    # -- trace and brokers ---------------------------------------------------------------------

    def run_trace(self, query: TraceQuery) -> tuple[CSRGraph, TraceResult, dict[str, Any]]:
        """The trace itself, with the graph and the targets' verdicts (for brokers and exports)."""
        options = query.options
        g = self.graph(options.as_of)
        targets, verdicts = self._targets(g, query.regimes, options.as_of)
        try:
            result = trace(g, targets, self._facts, options)
        except KeyError as error:
            raise InputError(str(error.args[0])) from None
        except ValueError as error:
            raise InputError(str(error)) from None
        return g, result, verdicts

    def trace(self, query: TraceQuery) -> dict[str, Any]:
        g, result, verdicts = self.run_trace(query)
        shown = result.paths if query.limit is None else result.paths[: query.limit]
        memo = _Memo(self.workspace)
        return {
            "query": trace_query_document(query),
            "summary": trace_summary(g, result),
            "paths": [self._trace_document(g, path, verdicts, memo) for path in shown],
        }

    def brokers(self, query: TraceQuery, top: int) -> dict[str, Any]:
        g, result, _ = self.run_trace(query)
        ranked = rank_brokers(g, result, top=top)
        return {
            "query": {**trace_query_document(query), "top": top},
            "summary": trace_summary(g, result),
            "brokers": [
                {**self._view(g.ids[broker.node]), **broker.as_dict()} for broker in ranked
            ],
        }

    def _targets(
        self, g: CSRGraph, regimes: Sequence[str], as_of: str | None
    ) -> tuple[dict[int, TargetStatus], dict[str, Any]]:
        """Listed entities and those sanctioned by extension under ``regimes``, by node, with
        the strongest verdict of each (its proof tree goes into the document)."""
        targets: dict[int, TargetStatus] = {int(n): "listed" for n in np.flatnonzero(g.sanctioned)}
        verdicts: dict[str, Any] = {}
        for regime in regimes:
            for item in sanctioned_by_extension(self.workspace, regime, as_of).entities:
                node = g.index.get(item.verdict.entity)
                status = item.verdict.status
                if node is None or targets.get(node, "possibly") == "listed":
                    continue
                if TARGET_STRENGTH[status] <= TARGET_STRENGTH.get(targets.get(node, "possibly"), 3):
                    targets[node] = status
                verdicts.setdefault(item.verdict.entity, []).append(
                    {"regime": regime, **item.verdict.as_dict()}
                )
        return targets, verdicts

    def _facts(self, entities: Sequence[str]) -> dict[str, EntityFacts]:
        """Incorporation date and nationality of resolved entities, from any of their records."""
        found: dict[str, dict[str, str]] = {entity: {} for entity in entities}
        records = _records_of(self.workspace, entities)
        ids = list(records)
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            rows = self.workspace.query(
                f"SELECT id, json_extract(data, '$.incorporation_date'), "
                f"json_extract(data, '$.nationality') FROM entities "
                f"WHERE id IN ({', '.join('?' * len(batch))}) ORDER BY id",
                batch,
            )
            for record, incorporated, nationality in rows:
                known = found[records[record]]
                if incorporated:
                    known.setdefault("incorporation_date", str(incorporated))
                if nationality:
                    known.setdefault("nationality", _first(nationality))
        return {entity: EntityFacts(**values) for entity, values in found.items()}

    # -- documents -----------------------------------------------------------------------------

    def _view(self, entity: str) -> dict[str, Any]:
        return lookup.view_or_stub(self.workspace, entity)

    def _path_document(
        self,
        g: CSRGraph,
        nodes: tuple[int, ...],
        edges: tuple[tuple[int, ...], ...],
        memo: _Memo,
        days: Mapping[int, set[str]] | None = None,
    ) -> dict[str, Any]:
        ids = [g.ids[node] for node in nodes]
        hops = []
        for hop, hop_edges in enumerate(edges):
            ends = {(KINDS[g.kind[e]], int(g.source[e]), int(g.target[e])) for e in hop_edges}
            for kind, source, target in sorted(ends):
                records = memo.records(g.ids[source], g.ids[target], kind)
                if days is not None and kind == "SHIPPED_TO":
                    wanted = days.get(hop, set())
                    records = [r for r in records if r["date"] in wanted]
                hops.append({"type": kind, "source": g.ids[source], "target": g.ids[target],
                             "hop": hop, "records": records})  # fmt: skip
        merges = [merged for entity in ids if (merged := memo.merges(entity)) is not None]
        return {"nodes": [memo.view(entity) for entity in ids], "edges": hops,
                "score": None, "flags": [], "merges": merges}  # fmt: skip

    def _trace_document(
        self, g: CSRGraph, path: TracePath, verdicts: Mapping[str, Any], memo: _Memo
    ) -> dict[str, Any]:
        document = self._path_document(g, path.nodes, path.edges, memo, shipment_days(g, path))
        declarants = [memo.view(g.ids[node]) for node in path.declarants]
        document.update(trace_fields(path, g.ids[path.nodes[-1]], verdicts, declarants))
        return document


class _Memo:
    """What one answer reads from the workspace, each entity and each edge once: the paths of an
    answer pass through the same brokers and hubs again and again (at 1M entities, re-reading
    them took 12.6 s of a 12.7 s all-simple-paths answer)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._views: dict[str, dict[str, Any]] = {}
        self._merges: dict[str, dict[str, Any] | None] = {}
        self._records: dict[tuple[str, str, str], list[dict[str, Any]]] = {}

    def view(self, entity: str) -> dict[str, Any]:
        if entity not in self._views:
            self._views[entity] = lookup.view_or_stub(self.workspace, entity)
        return self._views[entity]

    def merges(self, entity: str) -> dict[str, Any] | None:
        """The records merged into the entity and why, or None for an entity of one record."""
        if entity not in self._merges:
            members = lookup.members(self.workspace, entity)
            self._merges[entity] = (
                {"entity": entity, "records": members,
                 "explanation": lookup.merges(self.workspace, entity)}
                if len(members) > 1 else None
            )  # fmt: skip
        return self._merges[entity]

    def records(self, source: str, target: str, kind: str) -> list[dict[str, Any]]:
        key = (source, target, kind)
        if key not in self._records:
            self._records[key] = evidence.edge_records(self.workspace, source, target, [kind])
        return self._records[key]


def _edges_of(g: CSRGraph, nodes: tuple[int, ...], query: PathQuery) -> path_search.Path:
    """The hop edges of a node path under the query's filters (as k-shortest reports them)."""
    edges = path_search.edges_between(
        g, nodes, link_types=query.link_types, directed=query.directed, as_of=query.as_of,
        countries=query.countries, min_share=query.min_share,
    )  # fmt: skip
    return path_search.Path(nodes, edges)


def _records_of(workspace: Workspace, entities: Iterable[str]) -> dict[str, str]:
    """Record id -> resolved entity, for every record of ``entities`` (each is its own)."""
    mapping = {entity: entity for entity in entities}
    wanted = list(mapping)
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        mapping.update(
            (str(row[0]), str(row[1]))
            for row in workspace.query(
                f"SELECT entity_id, canonical_id FROM clusters "
                f"WHERE canonical_id IN ({', '.join('?' * len(batch))})",
                batch,
            )
        )
    return mapping


def _first(value: Any) -> str:
    if isinstance(value, str) and value.startswith("["):
        items = json.loads(value)
        return str(items[0]) if items else ""
    return str(value)
