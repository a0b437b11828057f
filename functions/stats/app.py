"""Statistics: the table's stream → per-unit, per-day counters for the KPIs and reports.

Handler: ``app.lambda_handler``. Records go through Powertools' ``BatchProcessor`` with
``ReportBatchItemFailures``, as the fan-out does: one record that fails is retried alone. Each
count is added in one transaction with a marker conditional on not existing
(``nguon.storage.stats``), so a redelivered record (a retried batch) adds nothing.
"""

from functools import lru_cache

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from nguon import assembly
from nguon.config import get_settings
from nguon.observability import stream_handler
from nguon.services.stats import StatsService

get_settings()


@lru_cache(maxsize=1)
def stats() -> StatsService:
    from nguon.storage.stats import DynamoStatsStore

    return StatsService(assembly.units(), assembly.bulletin_store(), DynamoStatsStore())


def count(record: DynamoDBRecord) -> None:
    """One stream record; raises to have the stream deliver it (and those after it) again."""
    stats().record(record.raw_event)


lambda_handler = stream_handler(count)
