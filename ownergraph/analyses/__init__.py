"""Analyses over the ownership and trade graph: paths, trace, brokers, the 50% rules."""
