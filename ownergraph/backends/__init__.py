"""Backends: where the resolved graph lives and the analyses run (DESIGN.md §8).

A small contract and a factory. Every method returns the JSON document of DESIGN.md §7, so the
CLI prints the same thing whichever backend answered, and the differential tests compare the two
backends document for document:

- ``local`` (default): the workspace file plus the compact in-process graph;
- ``neo4j``: a Neo4j server the workspace was pushed to (``ownergraph neo4j push``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ownergraph.analyses.chains import TraceOptions, TracePath, TraceResult
from ownergraph.errors import InputError
from ownergraph.graph.csr import CSRGraph

if TYPE_CHECKING:
    from ownergraph.exports.model import Selection
    from ownergraph.exports.selection import ExportRequest

BACKENDS = ("local", "neo4j")
REGIME_NAMES: tuple[str, ...] = ("ofac", "eu", "uk")


@dataclass(frozen=True, slots=True)
class PathQuery:
    """What ``paths`` asks: which paths, how long, through what."""

    mode: str = "shortest"
    """``shortest`` (one), ``k`` (the ``k`` shortest) or ``all`` (every simple path)."""
    k: int = 3
    max_hops: int = 6
    link_types: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    min_share: float | None = None
    as_of: str | None = None
    directed: bool = False

    def __post_init__(self) -> None:
        if self.mode not in ("shortest", "k", "all"):
            raise InputError(f"unknown path mode {self.mode!r}; use shortest, k or all")

    def filters(self) -> dict[str, Any]:
        """The keyword arguments the path functions of ``ownergraph.analyses.paths`` take."""
        return {
            "max_hops": self.max_hops,
            "link_types": self.link_types,
            "directed": self.directed,
            "as_of": self.as_of,
            "countries": self.countries,
            "min_share": self.min_share,
        }


@dataclass(frozen=True, slots=True)
class TraceQuery:
    """What ``trace`` and ``brokers`` ask: the chain search and the regimes whose 50% rules add
    targets sanctioned by extension."""

    options: TraceOptions = field(default_factory=TraceOptions)
    regimes: tuple[str, ...] = REGIME_NAMES
    limit: int | None = 100
    """Paths in the document (all are found, ranked and counted)."""


class Backend(Protocol):
    """What every backend answers; each method returns a DESIGN.md §7 JSON document."""

    name: str

    def search(self, text: str, *, country: str | None = None, limit: int = 20) -> dict[str, Any]:
        """``{"results": [entity with "score", ...]}``."""
        ...

    def show(self, reference: str) -> dict[str, Any]:
        """One entity with its properties, links, listings, shipments and merges."""
        ...

    def paths(self, source: str, target: str, query: PathQuery) -> dict[str, Any]:
        """``{"query": ..., "paths": [{"nodes", "edges", "score", "flags", "merges"}]}``."""
        ...

    def trace(self, query: TraceQuery) -> dict[str, Any]:
        """``{"query": ..., "summary": ..., "paths": [...]}``, best score first."""
        ...

    def brokers(self, query: TraceQuery, top: int) -> dict[str, Any]:
        """``{"query": ..., "brokers": [entity with "score", "chains", "chpl_value", ...]}``."""
        ...

    def sanctioned_by_extension(self, regime: str, as_of: str | None) -> dict[str, Any]:
        """``{"regime", "as_of", "entities": [entity with "status", "explanation", ...]}``."""
        ...

    def export_selection(self, request: ExportRequest) -> Selection:
        """What ``ownergraph export`` writes (docs/exports.md): the neighbourhood of entities
        or the paths of a saved document, in memory, or the whole graph, streamed (read it
        before :meth:`close`). Every backend selects the same nodes and edges."""
        ...

    def close(self) -> None: ...


def open_backend(name: str, workspace: Path, **settings: Any) -> Backend:
    """The backend called ``name``: ``local`` over the workspace file, or ``neo4j`` over the
    server named by ``settings`` or the ``NEO4J_*`` environment variables."""
    if name == "local":
        from ownergraph.backends.local import LocalBackend

        return LocalBackend.open(workspace)
    if name == "neo4j":
        # Imported by name: the driver is only loaded when this backend is asked for.
        module = importlib.import_module("ownergraph.backends.neo4j")
        backend: Backend = module.open(**settings)
        return backend
    raise InputError(f"unknown backend {name!r}; use one of {', '.join(BACKENDS)}")


TARGET_STRENGTH: dict[str, int] = {"listed": 0, "blocked": 1, "controlled": 2, "possibly": 3}
"""Which status wins when a target is caught several ways (lower is stronger)."""


def trace_query_document(query: TraceQuery) -> dict[str, Any]:
    """The ``"query"`` part of a trace or brokers document: every option, JSON-ready."""
    options = asdict(query.options)
    for key in ("from_countries", "transit_countries"):
        options[key] = sorted(options[key])
    options["suppliers"] = list(options["suppliers"])
    return {**options, "regimes": list(query.regimes), "limit": query.limit}


def trace_summary(graph: CSRGraph, result: TraceResult) -> dict[str, Any]:
    """The ``"summary"`` part of a trace or brokers document."""
    return {
        "suppliers": result.suppliers,
        "targets": result.targets,
        "paths": len(result.paths),
        "chains": len({(path.nodes[0], path.nodes[-1]) for path in result.paths}),
        "truncated_suppliers": [graph.ids[node] for node in result.truncated],
    }


def trace_fields(
    path: TracePath, target: str, verdicts: Mapping[str, Any], declarants: list[dict[str, Any]]
) -> dict[str, Any]:
    """What a trace path's document adds to a paths document: score, flags, CHPL value, the
    declarants' views and the target with its 50%-rule verdicts."""
    return {
        "score": path.score,
        "flags": [flag.as_dict() for flag in path.flags],
        "chpl_value": path.chpl_value,
        "declarants": declarants,
        "target": {"id": target, "status": path.target_status,
                   "verdicts": verdicts.get(target, [])},
    }  # fmt: skip


def regimes_of(text: Sequence[str] | str) -> tuple[str, ...]:
    """Regime names from a comma-separated option (``ofac,eu``), checked; ``none`` for none."""
    names = [part.strip().lower() for part in (text.split(",") if isinstance(text, str) else text)]
    names = [name for name in names if name and name != "none"]
    unknown = [name for name in names if name not in REGIME_NAMES]
    if unknown:
        raise InputError(
            f"unknown regime {', '.join(unknown)}; use {', '.join(REGIME_NAMES)} or none"
        )
    return tuple(dict.fromkeys(names))
