"""Fan-out: the table's stream (workflow events, programme changes) and the hourly refresh.

An approval also queues the bulletin's voice; the voice arriving (a ``voiced`` event)
rebuilds the manifests with its audio.

Handler: ``app.lambda_handler``. Reprocessing a batch is harmless: manifests are
content-addressed, shadow updates set the same values, and devices play an alert once per
``(alert_id, version)``.
"""

import json
from functools import lru_cache
from typing import Any

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
    )


@logger.inject_lambda_context
@trace_handler(capture_error=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" not in event:  # the hourly schedule
        report = fanout().refresh()
        logger.info("refreshed", extra={"manifests": len(report.manifests)})
        return {"manifests": len(report.manifests), "shadows": report.shadows}
    handled = 0
    added: dict[str, list[str]] = {}  # new devices by commune: one manifest for the batch
    for record in event["Records"]:
        keys = record["dynamodb"]["Keys"]
        partition, sort = keys["PK"]["S"], keys["SK"]["S"]
        if sort.startswith("EVENT#") and record["eventName"] == "INSERT":
            audit = json.loads(record["dynamodb"]["NewImage"]["doc"]["S"])
            action = AuditAction(audit["action"])
            report = fanout().bulletin_changed(audit["bulletin_id"], action)
            if action is AuditAction.APPROVED:
                # After the devices: an emergency must not wait for a queue. Once per bulletin,
                # however often the stream delivers this event.
                assembly.voice_service().request(audit["bulletin_id"])
        elif sort == "DEVICE" and record["eventName"] == "INSERT":
            image = record["dynamodb"]["NewImage"]
            added.setdefault(image["unit"]["S"], []).append(image["thing"]["S"])
            continue
        elif sort.startswith(("ORDER#", "SETTINGS#programme")):
            report = fanout().programme_changed(partition.removeprefix("UNIT#"))
        else:
            continue
        handled += 1
        if not (report.published or report.manifests or report.shadows):
            continue
        logger.info(
            "fanned out",
            extra={
                "key": f"{partition}/{sort}",
                "published": report.published,
                "manifests": report.manifests,
                "shadows": report.shadows,
            },
        )
    for unit, things in added.items():
        report = fanout().devices_added(unit, things)
        handled += len(things)
        logger.info(
            "new devices", extra={"unit": unit, "things": things, "shadows": report.shadows}
        )
    return {"handled": handled}
