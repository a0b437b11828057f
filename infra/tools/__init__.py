"""Operator tooling: commands run against a deployed stack (or the local cloud)."""
