"""Operator tooling and the local cloud. Refers to project code only by path or import."""
