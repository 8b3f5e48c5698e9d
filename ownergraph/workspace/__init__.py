"""The embedded workspace store (SQLite): records, provenance, loads, rejects, resolution."""

from ownergraph.workspace.store import BatchCounts, Workspace, default_path

__all__ = ["BatchCounts", "Workspace", "default_path"]
