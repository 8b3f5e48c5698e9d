"""The compact graph kept beside the workspace file, so a query command does not rebuild it.

Building the graph of a registry-sized workspace reads every entity, link and shipment (about
ten seconds for a million entities); every ``paths``, ``trace`` or ``brokers`` would pay that.
:func:`load` keeps the arrays in ``<workspace>.graph.npz`` and reuses them while the workspace's
*stamp* is unchanged: the schema version, the last load (every load, re-load or interrupted load
adds a ``loads`` row) and the resolution (how many records ``clusters`` maps, when it last ran,
and a checksum of the mapping). The flags that depend on the as-of day (``sanctioned``) are
recomputed on every load.
A workspace changed behind ownergraph's back (by hand, in SQL) needs ``load(..., fresh=True)``
or the file deleted; the CLI's ``--rebuild`` does that.
"""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ownergraph.graph.build import build, sanctioned_nodes
from ownergraph.graph.csr import CSRGraph
from ownergraph.workspace import Workspace

_SKIPPED = {"ids", "index", "sanctioned", "as_of", "scratch", "countries", "tiers"}
_SEPARATOR = "\x1f"


def cache_path(workspace: Workspace) -> Path:
    return Path(f"{workspace.path}.graph.npz")


def stamp(workspace: Workspace) -> str:
    """What the cached graph depends on, in one string (see the module docstring)."""
    version = workspace.query("PRAGMA user_version")[0][0]
    last_load = workspace.query("SELECT max(id), count(*) FROM loads")[0]
    clusters = workspace.query("SELECT count(*), max(resolved_at) FROM clusters")[0]
    # A checksum of the mapping itself: two resolutions within one second can differ.
    mapping = workspace.query(
        "SELECT total((entity_key % 1000003) * (canonical_key % 999983)) FROM cluster_keys"
    )[0][0]
    return (
        f"v{version}|loads {last_load[0]} {last_load[1]}|clusters {clusters[0]} {clusters[1]} "
        f"{mapping:.0f}"
    )


def load(workspace: Workspace, *, as_of: str | None = None, fresh: bool = False) -> CSRGraph:
    """The workspace's graph, from the cache file when it is current, else built and saved.

    Parameters
    ----------
    workspace : Workspace
    as_of : str, optional
        ISO date for the ``sanctioned`` flags (default: today).
    fresh : bool
        Rebuild even if the cache looks current.
    """
    day = as_of or date.today().isoformat()
    path = cache_path(workspace)
    key = stamp(workspace)
    if not fresh:
        cached = _read(path, key)
        if cached is not None:
            return _with_flags(cached, workspace, day)
    graph = build(workspace, as_of=day)
    _write(graph, path, key)
    return graph


def _write(graph: CSRGraph, path: Path, key: str) -> None:
    arrays: dict[str, Any] = {
        field.name: getattr(graph, field.name)
        for field in fields(graph)
        if field.name not in _SKIPPED
    }
    arrays["stamp"] = np.array(key)
    arrays["ids"] = np.frombuffer(_SEPARATOR.join(graph.ids).encode("utf-8"), dtype=np.uint8)
    arrays["countries"] = np.array(graph.countries, dtype=str)
    arrays["tiers"] = np.array(graph.tiers, dtype=str)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as handle:
            np.savez(handle, **arrays)
        partial.replace(path)  # atomic: a reader never sees half a file
    except OSError:
        # A read-only folder: the graph still works, it is only not kept.
        partial.unlink(missing_ok=True)


def _read(path: Path, key: str) -> dict[str, Any] | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["stamp"]) != key:
                return None
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError):
        return None


def _with_flags(stored: dict[str, Any], workspace: Workspace, day: str) -> CSRGraph:
    raw = bytes(stored.pop("ids")).decode("utf-8")
    ids = raw.split(_SEPARATOR) if raw else []
    index = {entity: i for i, entity in enumerate(ids)}
    stored.pop("stamp")
    countries = tuple(str(code) for code in stored.pop("countries"))
    tiers = tuple(str(tier) for tier in stored.pop("tiers"))
    return CSRGraph(
        ids=ids,
        index=index,
        countries=countries,
        tiers=tiers,
        sanctioned=sanctioned_nodes(workspace, index, day),
        as_of=day,
        **stored,
    )
