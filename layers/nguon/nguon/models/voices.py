"""A bulletin's generated speech: the job that makes it, and where each area's voice is set."""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

VoiceName = Literal["vi", "vi-vn-x-central", "vi-vn-x-south"]
"""The espeak-ng voices: Northern, Central, Southern Vietnamese."""


class VoiceStatus(StrEnum):
    QUEUED = "queued"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"
    NOT_NEEDED = "not_needed"
    """Recorded audio is attached, no speaker channel, or the bulletin left the air."""


class VoiceJob(BaseModel):
    """One bulletin's speech, as the console shows it (progress, failure and its cause)."""

    model_config = ConfigDict(frozen=True)

    bulletin_id: str
    status: VoiceStatus
    voices: list[str]
    """Every voice the bulletin's target areas use (one recording each)."""
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    media: dict[str, str] = Field(default_factory=dict)
    """voice → media id, for those done."""
    duration_s: float | None = None
    error: str | None = None
    """Why it failed (the engine's or the store's words), for the editor and the operator."""
    attempts: int = 0
    requested_at: datetime
    updated_at: datetime


class AreaVoice(BaseModel):
    """``PUT /units/{code}/voice``: the voice of generated speech for this unit's subtree."""

    model_config = ConfigDict(extra="forbid")

    voice: VoiceName


class AreaVoiceView(BaseModel):
    unit: str
    voice: str
    inherited_from: str | None
    """The unit whose setting applies (None: the system default)."""
