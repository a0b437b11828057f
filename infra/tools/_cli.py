"""How operator tools fail: one line people read (Vietnamese / English), exit 1, no traceback.

Every tool's ``main`` is wrapped by :func:`tool`. Expected conditions (the local cloud not
running, a refused connection, an unknown user, a refused AWS call, a missing file, a domain
error) become one line on stderr; the words live in :mod:`nguon.i18n` with every other message.
Anything else is a bug and keeps its traceback. Bad arguments stay argparse's (usage, exit 2).
"""

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import requests
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
)

from nguon.errors import NguonError
from nguon.i18n import translate

START = "make run"
"""The command that starts the local cloud, named in every "not running" line."""

# Cognito's answers to a wrong username or password (worded for the person, not as AWS's).
_WRONG_CREDENTIALS = {"NotAuthorizedException", "UserNotFoundException"}


class ToolFailure(Exception):
    """An expected condition a tool reports: an :mod:`nguon.i18n` code and its parameters.

    ``quote`` is text from elsewhere (an API's own message), already in its reader's language:
    it follows both halves once instead of being put in each.
    """

    def __init__(self, code: str, /, quote: str | None = None, **params: Any) -> None:
        self.code = code
        self.quote = quote
        self.params = params
        super().__init__(code, params)

    def line(self) -> str:
        return _line(self.code, self.params, self.quote)


def _line(code: str, params: dict[str, Any], quote: str | None = None) -> str:
    """One line: Vietnamese first, then English, then the quote if any; never a line break
    (a parameter such as a validation error's text can hold several)."""
    text = f"{translate(code, 'vi', **params)} / {translate(code, 'en', **params)}"
    return " ".join((text + (f": {quote}" if quote else "")).split())


def default_endpoints() -> Path:
    """Where ``make run`` writes ``endpoints.json`` (``NGUON_STATE_DIR``, as the local cloud)."""
    return Path(os.environ.get("NGUON_STATE_DIR", ".local")) / "endpoints.json"


def read_endpoints(path: Path) -> dict[str, Any]:
    """The running local cloud's endpoints; a :class:`ToolFailure` when it is not running."""
    try:
        endpoints = json.loads(path.read_text())
    except FileNotFoundError:
        raise ToolFailure("tool_cloud_not_running", path=str(path), start=START) from None
    except (OSError, ValueError) as error:
        raise ToolFailure("tool_endpoints_unreadable", path=str(path), reason=error) from None
    if not isinstance(endpoints, dict):
        raise ToolFailure("tool_endpoints_unreadable", path=str(path), reason="not an object")
    return endpoints


def use_local_cloud(endpoints: dict[str, Any]) -> None:
    """Point boto3 (and PynamoDB) in this process at the local cloud of ``endpoints``."""
    os.environ.update(
        AWS_ENDPOINT_URL=endpoints["aws_endpoint_url"],
        AWS_DEFAULT_REGION=endpoints["region"],
        AWS_REGION=endpoints["region"],
        AWS_ACCESS_KEY_ID="testing",  # the emulator accepts any key
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106
    )


def _failure(error: BaseException) -> str | None:
    """The line to print for an expected condition; None for a bug."""
    if isinstance(error, ToolFailure):
        return error.line()
    if isinstance(error, NguonError):
        return _line(error.code, error.params)
    if isinstance(error, EndpointConnectionError):
        url: str | None = error.kwargs.get("endpoint_url")
        return ToolFailure("tool_cannot_connect", url=url, start=START).line()
    if isinstance(error, requests.ConnectionError):
        url = error.request.url if error.request is not None else "?"
        return ToolFailure("tool_cannot_connect", url=url, start=START).line()
    if isinstance(error, NoCredentialsError | NoRegionError):
        return ToolFailure("tool_no_aws_settings", start=START).line()
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code", "?")
        if code in _WRONG_CREDENTIALS:
            return ToolFailure("tool_sign_in_refused").line()
        reason = details.get("Message", "")
        return ToolFailure("tool_aws_refused", aws_code=code, reason=reason).line()
    if isinstance(error, FileNotFoundError):
        return ToolFailure("tool_file_missing", path=error.filename).line()
    if isinstance(error, FileExistsError):
        return ToolFailure("tool_file_exists", path=error.filename).line()
    if isinstance(error, OSError) and error.filename is not None:
        return ToolFailure("tool_file_problem", path=error.filename, reason=error.strerror).line()
    return None


def _causes(error: BaseException) -> list[BaseException]:
    """The error and what it wraps: PynamoDB puts botocore's error in ``cause``."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = getattr(current, "cause", None) or current.__cause__
    return chain


def _fail(line: str) -> NoReturn:
    print(line, file=sys.stderr)
    raise SystemExit(1)


def tool[**P, R](main: Callable[P, R]) -> Callable[P, R]:
    """Run a tool's ``main`` so that expected failures are one line and exit 1."""

    @functools.wraps(main)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return main(*args, **kwargs)
        except KeyboardInterrupt:
            raise SystemExit(130) from None
        except Exception as error:
            line = next(filter(None, map(_failure, _causes(error))), None)
            if line is None:
                raise
            _fail(line)

    return run
