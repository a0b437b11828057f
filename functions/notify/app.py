"""Alerts to subscribers by e-mail (SES) and text message (SNS), from the table's stream.

Handler: ``app.lambda_handler``. Two kinds of records (filtered in template.yaml):

- a bulletin's audit event: an approval sends the alert to its audience, a withdrawal (or a
  CAP ``Cancel``, which withdraws) the cancellation to those who got it;
- a pending subscription written (asked for, or asked again): its confirmation code.

Records go through Powertools' ``BatchProcessor`` (``ReportBatchItemFailures``), as in the
fan-out: one that fails is retried alone. Reprocessing sends nothing twice: each message is
claimed first with a conditional write (``nguon.services.notify``). Subscription records
hold a contact: they are never logged, and neither is any message.
"""

import json
from functools import lru_cache

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from nguon import assembly
from nguon.clock import now
from nguon.config import get_settings
from nguon.models.bulletins import AuditAction
from nguon.observability import logger, stream_handler
from nguon.services.notify import NotifyReport, NotifyService

get_settings()


@lru_cache(maxsize=1)
def notify() -> NotifyService:
    from nguon.adapters.messaging import AwsOutbox
    from nguon.services.subscriptions import SubscriptionKeys
    from nguon.storage.subscriptions import DynamoSubscriptionStore

    settings = get_settings()
    return NotifyService(
        units=assembly.units(),
        bulletins=assembly.bulletin_store(),
        store=DynamoSubscriptionStore(),
        keys=SubscriptionKeys(lambda: str(parameters.get_secret(settings.subscription_secret))),
        outbox=AwsOutbox(),
        now=now,
        portal_url=settings.portal_url,
    )


def notify_record(record: DynamoDBRecord) -> None:
    """One stream record; raises to have the stream deliver it again."""
    raw = record.raw_event
    keys = raw["dynamodb"]["Keys"]
    partition, sort = keys["PK"]["S"], keys["SK"]["S"]
    image = raw["dynamodb"].get("NewImage") or {}
    report: NotifyReport
    if sort.startswith("EVENT#") and raw["eventName"] == "INSERT":
        audit = json.loads(image["doc"]["S"])
        report = notify().bulletin_changed(audit["bulletin_id"], AuditAction(audit["action"]))
        subject = {"bulletin_id": audit["bulletin_id"], "action": audit["action"]}
    elif sort == "SUBSCRIPTION" and image.get("status", {}).get("S") == "pending":
        subscription_id = partition.removeprefix("SUBSCRIBER#")
        report = notify().code_requested(subscription_id, int(image["round"]["N"]))
        # Not the subscription's id: a log line that follows one subscriber helps nobody.
        subject = {"code_round": int(image["round"]["N"])}
    else:
        return
    if report.sent or report.skipped:
        logger.info("notified", extra={**subject, "sent": report.sent, "skipped": report.skipped})


lambda_handler = stream_handler(notify_record)
