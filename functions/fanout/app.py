"""Fan-out: the table's stream (workflow events, programme changes) and the hourly refresh.

An approval also queues the bulletin's voice; the voice arriving (a ``voiced`` event)
rebuilds the manifests with its audio.

Handler: ``app.lambda_handler``. Records go through Powertools' ``BatchProcessor``: a record
that fails is reported in ``batchItemFailures`` (``ReportBatchItemFailures`` in template.yaml),
so the stream retries from it instead of holding the shard on the whole batch. Reprocessing is
harmless: manifests are content-addressed, shadow updates set the same values, and devices play
an alert once per ``(alert_id, version)``.
"""

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from nguon import assembly
from nguon.clock import now
from nguon.config import get_settings
from nguon.models.bulletins import AuditAction
from nguon.observability import logger, trace_handler
from nguon.services.fanout import FanoutService

get_settings()


@lru_cache(maxsize=1)
def fanout() -> FanoutService:
    from nguon.adapters.iot import IotDataPlane
    from nguon.adapters.manifests import ManifestStore
    from nguon.services.programmes import ProgrammeService
    from nguon.storage.daily_counts import DynamoDailyCounts
    from nguon.storage.devices import DynamoDeviceStore
    from nguon.storage.programme import DynamoProgrammeStore

    units, bulletins = assembly.units(), assembly.bulletin_store()
    return FanoutService(
        units=units,
        bulletins=bulletins,
        programmes=ProgrammeService(units, bulletins, DynamoProgrammeStore()),
        devices=DynamoDeviceStore(),
        manifests=ManifestStore(),
        iot=IotDataPlane(),
        now=now,
        media=assembly.delivered_media,
        planned=DynamoDailyCounts().set_planned,
    )


processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


@logger.inject_lambda_context
@trace_handler(capture_error=False)
def lambda_handler(
    event: dict[str, Any], context: LambdaContext
) -> dict[str, Any] | PartialItemFailureResponse:
    if "Records" not in event:  # the hourly schedule
        report = fanout().refresh()
        logger.info("refreshed", extra={"manifests": len(report.manifests)})
        return {"manifests": len(report.manifests), "shadows": report.shadows}
    # New devices by commune: one manifest for the batch, after its records.
    added: dict[str, list[tuple[str, str]]] = {}
    response = process_partial_response(
        event=event,
        record_handler=lambda record: fan_out(record, added),
        processor=processor,
        context=context,
    )
    failures = response.setdefault("batchItemFailures", [])
    for unit, news in added.items():
        things = [thing for thing, _ in news]
        try:
            report = fanout().devices_added(unit, things)
        except Exception:
            logger.exception("new devices failed", extra={"unit": unit, "things": things})
            failures.extend({"itemIdentifier": sequence} for _, sequence in news)
            continue
        logger.info(
            "new devices", extra={"unit": unit, "things": things, "shadows": report.shadows}
        )
    return response


def fan_out(record: DynamoDBRecord, added: dict[str, list[tuple[str, str]]]) -> None:
    """One stream record; raises to have the stream deliver it (and those after it) again."""
    raw = record.raw_event
    keys = raw["dynamodb"]["Keys"]
    partition, sort = keys["PK"]["S"], keys["SK"]["S"]
    if sort.startswith("EVENT#") and raw["eventName"] == "INSERT":
        audit = json.loads(raw["dynamodb"]["NewImage"]["doc"]["S"])
        action = AuditAction(audit["action"])
        report = fanout().bulletin_changed(audit["bulletin_id"], action)
        if action is AuditAction.APPROVED:
            # After the devices: an emergency must not wait for a queue. Once per bulletin,
            # however often the stream delivers this event.
            assembly.voice_service().request(audit["bulletin_id"])
    elif sort == "DEVICE" and raw["eventName"] == "INSERT":
        image = raw["dynamodb"]["NewImage"]
        sequence = str(raw["dynamodb"].get("SequenceNumber", ""))
        added.setdefault(image["unit"]["S"], []).append((image["thing"]["S"], sequence))
        return
    elif sort.startswith(("ORDER#", "SETTINGS#programme")):
        report = fanout().programme_changed(partition.removeprefix("UNIT#"))
    else:
        return
    if not (report.published or report.manifests or report.shadows):
        return
    logger.info(
        "fanned out",
        extra={
            "key": f"{partition}/{sort}",
            "published": report.published,
            "manifests": report.manifests,
            "shadows": report.shadows,
        },
    )
