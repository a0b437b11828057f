"""Runs the template's functions in this interpreter, as warm Lambda containers would.

Each handler module is imported once, under a name of its own (every function's entry file
may be called ``app.py``), with its code directory and its layers on ``sys.path`` as Lambda
puts ``/var/task`` and ``/opt/python`` there. Functions share this process's environment, so
the variables of all functions are merged, and a clash is an error rather than a surprise.
Timeouts are not enforced (a thread cannot be stopped); the configured value is reported in
the context so handlers can read it.
"""

import importlib.util
import logging
import os
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from infra.localcloud.iam import RUNNING, Enforcer
from infra.localcloud.logs import INVOCATIONS, FunctionLogs, invocation_line, running
from infra.localcloud.template import ACCOUNT_ID, FunctionSpec, TemplateError

_invocations = logging.getLogger(INVOCATIONS)


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that handlers use."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def merged_environment(functions: Iterable[FunctionSpec]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for spec in functions:
        for name, value in spec.environment.items():
            if merged.setdefault(name, value) != value:
                raise TemplateError(
                    f"{spec.logical_id} sets {name}={value!r}, another function {merged[name]!r}"
                    " — the in-process local cloud needs one value per variable"
                )
    return merged


class LambdaHost:
    def __init__(
        self,
        functions: Iterable[FunctionSpec],
        region: str,
        stack_name: str,
        logs: FunctionLogs | None = None,
        enforcer: Enforcer | None = None,
    ) -> None:
        self._logs = logs
        self._enforcer = enforcer
        self._specs = {spec.logical_id: spec for spec in functions}
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self._region = region
        self._stack_name = stack_name
        self._lock = threading.Lock()
        os.environ.update(merged_environment(self._specs.values()))
        # Metrics are off locally (no CloudWatch); Powertools still warns on every empty flush.
        warnings.filterwarnings("ignore", message="No application metrics to publish")

    def invoke(self, logical_id: str, event: Mapping[str, Any]) -> Any:
        spec = self._specs[logical_id]
        name = f"{self._stack_name}-{logical_id}"
        context = LambdaContext(
            function_name=name,
            memory_limit_in_mb=spec.memory,
            timeout_seconds=spec.timeout,
            invoked_function_arn=f"arn:aws:lambda:{self._region}:{ACCOUNT_ID}:function:{name}",
        )
        event = dict(event)
        result: Any = None
        error: BaseException | None = None
        # Every AWS call the function makes in this thread (its first import included, as
        # Lambda's init runs with the role too) is checked against its own role.
        token = RUNNING.set((self._enforcer, logical_id)) if self._enforcer is not None else None
        with running(logical_id):
            if self._logs is not None:
                self._logs.start_invocation(cold_start=logical_id not in self._handlers)
            try:
                result = self._handler(spec)(event, context)
                return result
            except BaseException as raised:
                error = raised
                raise
            finally:
                if token is not None:
                    RUNNING.reset(token)
                elapsed_ms = (time.monotonic() - context.started) * 1000
                _invocations.info(invocation_line(logical_id, event, result, error, elapsed_ms))

    def _handler(self, spec: FunctionSpec) -> Callable[[Any, Any], Any]:
        with self._lock:
            if spec.logical_id not in self._handlers:
                module_path, _, attribute = spec.handler.rpartition(".")
                module = self._import(spec, module_path)
                self._handlers[spec.logical_id] = getattr(module, attribute)
            return self._handlers[spec.logical_id]

    @staticmethod
    def _import(spec: FunctionSpec, module_path: str) -> ModuleType:
        # Appended, not put first: several functions have an ``app.py``, and a plain
        # ``import app`` elsewhere in this process (tests) must not change meaning with the
        # order functions were first invoked. The handler itself is loaded by file path.
        for directory in (spec.code_dir, *spec.layer_dirs):
            if str(directory) not in sys.path:
                sys.path.append(str(directory))
        file = spec.code_dir.joinpath(*module_path.split(".")).with_suffix(".py")
        unique = f"_lambda_{spec.logical_id}_{module_path.replace('.', '_')}"
        module_spec = importlib.util.spec_from_file_location(unique, file)
        if module_spec is None or module_spec.loader is None:
            raise TemplateError(f"{spec.logical_id}: cannot load {file}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[unique] = module
        module_spec.loader.exec_module(module)
        return module
