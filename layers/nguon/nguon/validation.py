"""Pydantic problems met inside the domain, in the API's 422 shape."""

from typing import Any

from pydantic import ValidationError

from nguon.errors import InvalidInput


def validation_problem(error: ValidationError) -> InvalidInput:
    """A pydantic error met inside the domain (a merged PATCH), as the API's 422 shape."""
    details = [
        {"loc": list(problem["loc"]), "type": problem["type"], **plain_context(problem)}
        for problem in error.errors(include_url=False, include_input=False)
    ]
    return InvalidInput("validation_error", count=len(details), details=details)


def plain_context(problem: Any) -> dict[str, Any]:
    """A validation problem's parameters (limits, dates), never objects or exceptions."""
    context = {
        name: value
        for name, value in (problem.get("ctx") or {}).items()
        if isinstance(value, str | int | float)
    }
    return {"ctx": context} if context else {}
