"""Device telemetry: the IoT topic rules' events, and the every-minute inactivity sweep.

Handlers:

- ``app.lambda_handler``: one event per MQTT message, as an IoT rule's ``SELECT`` made it, with
  ``stream`` naming the rule (``heartbeat``, ``plays``, ``presence``, ``shadow_report``,
  ``command_result``; see :mod:`nguon.services.monitoring`). Invoked asynchronously: an
  unreadable event raises, so Lambda retries it and then parks it in the dead-letter queue.
- ``app.sweep_handler``: the EventBridge Scheduler's every-minute call (its payload is not
  read; the time is the function's own): devices' inactivity, then directives'
  acknowledgements owed past their due date, each recorded once as escalated.
"""

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from nguon.config import get_settings
from nguon.observability import logger, metrics, trace_handler
from nguon.services.monitoring import MonitoringService, Outcome

if TYPE_CHECKING:
    from nguon.services.directives import Escalation

# A missing or malformed variable fails the cold start, not the first event.
get_settings()


@lru_cache(maxsize=1)
def monitoring() -> MonitoringService:
    from nguon.storage.devices import DynamoDeviceStore  # binds the table from settings

    return MonitoringService(DynamoDeviceStore())


@logger.inject_lambda_context(clear_state=True)
@trace_handler(capture_error=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    stream = event.get("stream") if isinstance(event, dict) else None
    thing = (event.get("thing") or event.get("clientId")) if isinstance(event, dict) else None
    logger.append_keys(stream=stream, thing=thing)
    result = monitoring().handle(event)
    if result is Outcome.WENT_OFFLINE:
        metrics.add_metric(name="DevicesWentOffline", unit="Count", value=1)
    if stream == "plays":
        metrics.add_metric(name="PlaysStored", unit="Count", value=int(result))
    # Every heartbeat passes here: INFO would be a line per device a minute.
    logger.debug("telemetry handled", extra={"outcome": str(result)})
    return {"stream": stream, "outcome": str(result)}


@lru_cache(maxsize=1)
def escalation() -> "Escalation":
    from nguon import assembly
    from nguon.services.directives import Escalation
    from nguon.storage.directives import DynamoDirectiveStore

    return Escalation(assembly.units(), DynamoDirectiveStore())


@logger.inject_lambda_context(clear_state=True)
@trace_handler(capture_error=True)
@metrics.log_metrics
def sweep_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    offline = monitoring().sweep()
    if offline:
        metrics.add_metric(name="DevicesWentOffline", unit="Count", value=offline)
    escalated = escalation().run()
    if escalated:
        metrics.add_metric(name="DirectivesEscalated", unit="Count", value=escalated)
    logger.info("inactivity sweep", extra={"went_offline": offline, "escalated": escalated})
    return {"went_offline": offline, "directives_escalated": escalated}
