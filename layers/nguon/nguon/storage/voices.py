"""Voice jobs and area voice settings on the main table."""

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from nguon.errors import Conflict
from nguon.models.voices import VoiceJob, VoiceStatus
from nguon.storage.table import TableItem, table_meta

_JOB = "VOICE"
_SETTING = "SETTINGS#voice"


class VoiceJobItem(TableItem):
    """PK ``BULLETIN#<id>``  SK ``VOICE``: the bulletin's speech job. ``status`` is an attribute
    of its own so the stream filter (voice ready → manifests) can see it."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute()


class AreaVoiceItem(TableItem):
    """PK ``UNIT#<code>``  SK ``SETTINGS#voice``: the voice of the unit's subtree."""

    Meta = table_meta()
    voice = UnicodeAttribute()


class DynamoVoiceStore:
    def get(self, bulletin_id: str) -> VoiceJob | None:
        try:
            item = VoiceJobItem.get(f"BULLETIN#{bulletin_id}", _JOB, consistent_read=True)
        except VoiceJobItem.DoesNotExist:
            return None
        return VoiceJob.model_validate_json(item.doc)

    def put(self, job: VoiceJob, *, only_from: set[VoiceStatus] | None = None) -> None:
        """Write ``job``; with ``only_from``, only while the stored one is in one of those states
        (a conditional write: two workers cannot both move it on)."""
        condition = None
        if only_from is not None:
            condition = VoiceJobItem.status.is_in(*[status.value for status in only_from])
        _save(job, condition)

    def create(self, job: VoiceJob, *, replacing: set[VoiceStatus]) -> None:
        """Write ``job`` if there is none yet, or the current one is in ``replacing``."""
        condition = VoiceJobItem.pk.does_not_exist()
        if replacing:
            condition |= VoiceJobItem.status.is_in(*[status.value for status in replacing])
        _save(job, condition)

    def area_voice(self, unit_code: str) -> str | None:
        try:
            return AreaVoiceItem.get(f"UNIT#{unit_code}", _SETTING).voice
        except AreaVoiceItem.DoesNotExist:
            return None

    def set_area_voice(self, unit_code: str, voice: str) -> None:
        AreaVoiceItem(pk=f"UNIT#{unit_code}", sk=_SETTING, voice=voice).save()


def _save(job: VoiceJob, condition: Any) -> None:
    item = VoiceJobItem(
        pk=f"BULLETIN#{job.bulletin_id}",
        sk=_JOB,
        doc=job.model_dump_json(),
        status=job.status.value,
        attempts=job.attempts,
    )
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("voice_state_changed", bulletin=job.bulletin_id) from error
        raise
