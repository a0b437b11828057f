"""Amazon Polly's errors, by their Polly names, with the HTTP status Polly answers them with.

The speech service speaks Polly's API, so its errors are Polly's: a boto3 ``polly`` client
raises ``client.exceptions.<Name>`` for each. The names and statuses follow botocore's
``polly`` service model (``SynthesisTaskNotFoundException`` is 400 there, not 404).
Messages are English, as Polly's are; they never carry a stack trace or internal names.
"""

from typing import Any, ClassVar


class SpeechError(Exception):
    """Base of every error the speech service raises on purpose; ``code`` is the Polly name."""

    status: ClassVar[int] = 400

    def __init__(self, message: str, **fields: Any) -> None:
        self.message = message
        self.fields = fields
        super().__init__(message)

    @property
    def code(self) -> str:
        return type(self).__name__

    def body(self) -> dict[str, Any]:
        """The JSON body botocore's rest-json parser reads (``message`` and any members)."""
        return {"message": self.message, **self.fields}


class ValidationException(SpeechError):
    """A parameter breaks its constraint (unknown VoiceId, bad OutputFormat, ...).

    Polly's model requires ``reason``; ``fields`` names the parameter, as AWS does.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        extra: dict[str, Any] = {"reason": "fieldValidationFailed" if field else "other"}
        if field:
            extra["fields"] = [{"name": field, "message": message}]
        super().__init__(message, **extra)


class AccessDeniedException(SpeechError):
    """The caller may not do this (Put/DeleteLexicon need the admin or editor role)."""

    status = 403

    def body(self) -> dict[str, Any]:
        # This one shape in the model spells its member "Message"; botocore reads both.
        return {"Message": self.message, "message": self.message}


class UnauthorizedException(SpeechError):
    """No identity came with the request (the Cognito authorizer normally refuses first)."""

    status = 401


class TextLengthExceededException(SpeechError):
    """More billed characters than the operation allows (3,000 sync, 100,000 tasks)."""


class InvalidSsmlException(SpeechError):
    """The SSML is not well-formed XML, uses an unknown tag, or a bad attribute value."""


class InvalidSampleRateException(SpeechError):
    """The SampleRate is not one the OutputFormat allows."""


class LexiconNotFoundException(SpeechError):
    """A named lexicon does not exist."""

    status = 404


class MarksNotSupportedForFormatException(SpeechError):
    """SpeechMarkTypes with an audio format, or format json without SpeechMarkTypes."""


class SsmlMarksNotSupportedForTextTypeException(SpeechError):
    """``ssml`` speech marks asked for plain text."""


class EngineNotSupportedException(SpeechError):
    """The voice does not support the Engine asked for."""


class LanguageNotSupportedException(SpeechError):
    """The LanguageCode is not one of the voice's languages."""


class InvalidLexiconException(SpeechError):
    """The PLS document is not valid (not XML, not PLS 1.0, a lexeme without grapheme...)."""


class LexiconSizeExceededException(SpeechError):
    """The PLS document is larger than a lexicon may be."""


class MaxLexemeLengthExceededException(SpeechError):
    """An alias or phoneme is longer than a lexeme's replacement may be."""


class MaxLexiconsNumberExceededException(SpeechError):
    """Too many lexicons stored, or named in one request."""


class UnsupportedPlsAlphabetException(SpeechError):
    """The PLS alphabet is neither ``ipa`` nor ``x-sampa``."""


class UnsupportedPlsLanguageException(SpeechError):
    """The PLS ``xml:lang`` is not a language any voice here speaks."""


class InvalidS3BucketException(SpeechError):
    """OutputS3BucketName is missing, malformed or not a bucket this service writes to."""


class InvalidS3KeyException(SpeechError):
    """OutputS3KeyPrefix is not a usable key prefix."""


class InvalidSnsTopicArnException(SpeechError):
    """SnsTopicArn is not an SNS topic ARN."""


class SynthesisTaskNotFoundException(SpeechError):
    """No task has this TaskId."""


class InvalidTaskIdException(SpeechError):
    """The TaskId is not of the form Polly gives (``[a-zA-Z0-9_-]{1,100}``)."""


class InvalidNextTokenException(SpeechError):
    """The NextToken was not given by this service for this listing."""


class ServiceFailureException(SpeechError):
    """Something on our side failed (an engine, ffmpeg, S3); safe to try again."""

    status = 500


class TaskQuotaExceededException(SpeechError):
    """The caller has as many tasks waiting or running as one person may (not Polly's: the
    project's per-user quota, so one person cannot fill the queue)."""

    status = 429


class BreakTimeExceededException(SpeechError):
    """The request's ``<break>`` elements add up to more silence than one request may hold."""


class OutputDurationExceededException(SpeechError):
    """The request would read for longer than one request may (rate slowed, text long)."""
