"""The one exception family of ownergraph: every error a user can act on derives from it."""

from __future__ import annotations


class OwnergraphError(Exception):
    """Base class of ownergraph's own errors."""

    exit_code = 1


class InputError(OwnergraphError):
    """Bad input or usage: a missing file, an unknown format, an unknown entity (exit code 2)."""

    exit_code = 2


class UnreadableFileError(InputError):
    """A source file cannot be read as a whole (missing, wrong encoding, not the format named)."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[UnreadableFileError], tuple[object, str]]:
        # Loads can run the loader in a child process, which sends its errors back pickled.
        return (type(self), (self.path, self.reason))


class WorkspaceError(OwnergraphError):
    """The workspace file cannot be used (newer schema, corrupt, locked)."""

    exit_code = 2
