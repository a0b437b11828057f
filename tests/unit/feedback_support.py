"""An in-memory feedback store (the same rules as DynamoDB's: versions, append-only steps,
intake counted per window, all or nothing) and helpers for feedback tests."""

from datetime import datetime

from nguon.errors import Conflict
from nguon.models.feedback import Categories, Contact, Feedback, FeedbackEvent
from nguon.storage.feedback import LimitReached, Quota


class InMemoryFeedbackStore:
    def __init__(self) -> None:
        self.reports: dict[str, Feedback] = {}
        self.contacts: dict[str, Contact] = {}
        self.steps: dict[str, list[FeedbackEvent]] = {}
        self.counters: dict[tuple[str, datetime], int] = {}
        self.services: Categories | None = None

    def create(
        self, report: Feedback, event: FeedbackEvent, contact: Contact | None, quotas: list[Quota]
    ) -> None:
        for quota in quotas:  # checked first: a refusal stores nothing
            if self.counters.get((quota.key, quota.window_start), 0) >= quota.max:
                raise LimitReached(quota)
        if report.id in self.reports:
            raise Conflict("conflict")
        for quota in quotas:
            key = (quota.key, quota.window_start)
            self.counters[key] = self.counters.get(key, 0) + 1
        self.reports[report.id] = report
        self.steps[report.id] = [event]
        if contact is not None:
            self.contacts[report.id] = contact

    def commit(self, report: Feedback, event: FeedbackEvent, expected_version: int) -> None:
        current = self.reports.get(report.id)
        if current is None or current.version != expected_version:
            raise Conflict("conflict")
        if any(step.seq == event.seq for step in self.steps[report.id]):
            raise Conflict("conflict")
        self.reports[report.id] = report
        self.steps[report.id].append(event)

    def get(self, feedback_id: str) -> Feedback | None:
        return self.reports.get(feedback_id)

    def contact(self, feedback_id: str) -> Contact | None:
        return self.contacts.get(feedback_id)

    def history(self, feedback_id: str) -> list[FeedbackEvent]:
        return list(self.steps.get(feedback_id, []))

    def in_subtree(self, path: str, since: datetime | None = None) -> list[Feedback]:
        return [
            report
            for report in self.reports.values()
            if (report.unit_path + "/").startswith(path + "/")
            and (since is None or report.received_at >= since)
        ]

    def categories(self) -> Categories | None:
        return self.services

    def save_categories(self, categories: Categories) -> None:
        self.services = categories
