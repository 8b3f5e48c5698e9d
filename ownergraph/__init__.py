"""ownergraph: corporate-ownership and trade graph analyser for sanctions-evasion investigations.

The core library. Loaders (the top-level ``loaders`` package) turn source files into model records;
the workspace stores them; resolution, graph building and the analyses work from the workspace.
"""

__version__ = "0.1.0"
