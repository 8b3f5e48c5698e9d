"""What every command module shares: consoles, errors, the --json option and the global state.

Kept apart from :mod:`ownergraph.cli` so that command modules (analyses, export, neo4j) can import
it without importing the main group, which imports them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from ownergraph.backends import Backend, open_backend
from ownergraph.errors import OwnergraphError
from ownergraph.model.values import country_code
from ownergraph.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class BadInput(click.ClickException):
    """Bad input or usage, shown as click shows errors, with exit code 2."""

    exit_code = 2


@contextmanager
def errors() -> Iterator[None]:
    """Show our errors as one sentence with their exit code (2 input, 1 internal)."""
    try:
        yield
    except OwnergraphError as error:
        kind = BadInput if error.exit_code == 2 else click.ClickException
        raise kind(str(error)) from error


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON to stdout.")(function)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class State:
    """Global options shared by every command."""

    def __init__(self, workspace: Path, verbose: bool, backend: str = "local") -> None:
        self.workspace_path = workspace
        self.verbose = verbose
        self.backend_name = backend

    def open(self, *, create: bool = False) -> Workspace:
        return Workspace(self.workspace_path, create=create)

    @contextmanager
    def backend(self) -> Iterator[Backend]:
        """The backend chosen with ``--backend``, closed afterwards; our errors become messages."""
        with errors():
            backend = open_backend(self.backend_name, self.workspace_path)
            try:
                yield backend
            finally:
                backend.close()


pass_state = click.make_pass_decorator(State)


def country_codes(text: str | None, option: str) -> tuple[str, ...] | None:
    """ISO codes of an option's comma-separated country codes or names (None if not given)."""
    if text is None:
        return None
    codes = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        code = country_code(part)
        if code is None:
            raise BadInput(f"{option}: unknown country {part!r}")
        codes.append(code)
    return tuple(dict.fromkeys(codes))
