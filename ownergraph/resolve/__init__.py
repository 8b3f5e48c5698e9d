"""Entity resolution: normalise -> block -> score -> cluster, with human judgements.

Each step is its own module; :func:`ownergraph.resolve.run.resolve` ties them to the workspace.
"""
