"""Pydantic models of the domain: what the rules talk about, free of storage and transport."""
