"""Access to the Cypher statements in ``cypher/`` (installed as ``ownergraph.cypher``).

Python never holds Cypher text of its own: it loads a named file and passes user values as
parameters, so nothing a user types is spliced into a query.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from ownergraph.errors import InputError


def _root() -> Traversable:
    try:
        return resources.files("ownergraph.cypher")
    except ModuleNotFoundError:
        # Run from a source checkout's root, the plain ``ownergraph/`` folder shadows the
        # installed package and its ``cypher`` mapping: the files sit beside it.
        return Path(__file__).resolve().parent.parent / "cypher"


def names() -> list[str]:
    """Names of every bundled Cypher file (without ``.cypher``)."""
    root = _root()
    return sorted(
        entry.name.removesuffix(".cypher")
        for entry in root.iterdir()
        if entry.name.endswith(".cypher")
    )


@cache
def text(name: str) -> str:
    """The text of ``cypher/<name>.cypher``; :class:`InputError` if there is no such query."""
    entry = _root().joinpath(f"{name}.cypher")
    if not entry.is_file():
        raise InputError(f"no Cypher query named {name!r}; known: {', '.join(names())}")
    return entry.read_text("utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file (schema), comments dropped."""
    lines = [line for line in text(name).splitlines() if not line.lstrip().startswith("//")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
