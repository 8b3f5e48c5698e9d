"""Human judgements on pairs of records: stored with author and time, obeyed on every re-run.

A judgement is never deleted: retracting one stamps it, so the history of decisions stays
exportable. The newest live judgement of a pair is the one that counts.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from ownergraph.errors import InputError
from ownergraph.workspace import Workspace
from ownergraph.workspace.store import now

VERDICTS = ("same", "different", "unsure")


@dataclass(frozen=True, slots=True)
class Judgement:
    left: str
    right: str
    verdict: str
    author: str
    created_at: str
    retracted_at: str | None = None


def author() -> str:
    """Who is judging: ``$OWNERGRAPH_AUTHOR``, else the login name."""
    return os.environ.get("OWNERGRAPH_AUTHOR") or getpass.getuser()


def _pair(left: str, right: str) -> tuple[str, str]:
    if left == right:
        raise InputError("a judgement needs two different records")
    return (left, right) if left < right else (right, left)


def judge(workspace: Workspace, left: str, right: str, verdict: str) -> Judgement:
    """Record that two records are the same entity, different ones, or unclear."""
    if verdict not in VERDICTS:
        raise InputError(f"verdict must be one of {', '.join(VERDICTS)}")
    for record in (left, right):
        if not workspace.query("SELECT 1 FROM entities WHERE id = ?", (record,)):
            raise InputError(f"no record {record!r}")
    a, b = _pair(left, right)
    stamp = now()
    who = author()
    with workspace.transaction() as db:
        db.execute(
            "UPDATE judgements SET retracted_at = ? WHERE left_id = ? AND right_id = ? "
            "AND retracted_at IS NULL",
            (stamp, a, b),
        )
        db.execute(
            "INSERT INTO judgements (left_id, right_id, verdict, author, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (a, b, verdict, who, stamp),
        )
    return Judgement(a, b, verdict, who, stamp)


def retract(workspace: Workspace, left: str, right: str) -> int:
    """Withdraw the live judgement on a pair; returns how many were withdrawn (0 or 1)."""
    a, b = _pair(left, right)
    with workspace.transaction() as db:
        return db.execute(
            "UPDATE judgements SET retracted_at = ? WHERE left_id = ? AND right_id = ? "
            "AND retracted_at IS NULL",
            (now(), a, b),
        ).rowcount


def judgements(workspace: Workspace, *, history: bool = False) -> list[Judgement]:
    """Live judgements (or every judgement ever made, with ``history``), oldest first."""
    where = "" if history else "WHERE retracted_at IS NULL"
    return [
        Judgement(*row)
        for row in workspace.query(
            f"SELECT left_id, right_id, verdict, author, created_at, retracted_at "
            f"FROM judgements {where} ORDER BY id"
        )
    ]
