"""Amazon Polly's REST API under ``/tts``: what a boto3 ``polly`` client sends and expects.

API Gateway routes ``/tts/v1/{proxy+}`` (ANY) of the speech API (``SpeechApi``, an API of its
own) here behind the Cognito authorizer; the resolver strips ``/tts``, so the routes are
Polly's own (``service-2.json`` of botocore):

=======  ==============================  ===========================
method   path                            operation
=======  ==============================  ===========================
GET      /v1/voices                      DescribeVoices
POST     /v1/speech                      SynthesizeSpeech
POST     /v1/synthesisTasks              StartSpeechSynthesisTask
GET      /v1/synthesisTasks              ListSpeechSynthesisTasks
GET      /v1/synthesisTasks/{TaskId}     GetSpeechSynthesisTask
GET      /v1/lexicons                    ListLexicons
PUT      /v1/lexicons/{LexiconName}      PutLexicon
GET      /v1/lexicons/{LexiconName}      GetLexicon
DELETE   /v1/lexicons/{LexiconName}      DeleteLexicon
=======  ==============================  ===========================

Answers are what botocore's rest-json parser reads: JSON bodies with epoch-second
timestamps; SynthesizeSpeech's audio as the raw body (base64 with ``isBase64Encoded``; the
API's binary media type ``*/*`` makes API Gateway send it as bytes whatever the client's
Accept, boto3 sending none) with ``Content-Type`` and ``x-amzn-RequestCharacters``. With
``*/*`` every request body arrives base64-encoded too: read it through ``decoded_body``.
Errors carry ``x-amzn-ErrorType: <PollyName>`` and ``{"message": ...}``, never a trace.

Who: any signed-in staff member may list voices, synthesise, run tasks and read lexicons;
PutLexicon and DeleteLexicon change how speech sounds, so they need the ``admin`` or
``editor`` role, else ``AccessDeniedException`` (403), Polly's name for an IAM refusal.

Where (issue 11): tasks and lexicons belong to the caller's home unit. A task is seen in its
owner's subtree only (else ``SynthesisTaskNotFoundException``); a lexicon applies to its
owner's subtree, is seen there and by those whose area holds it, and is changed only by the
latter (``AccessDeniedException``). One person has at most
``nguon.speech.tasks.MAX_ACTIVE_TASKS_PER_USER`` tasks waiting or running
(``TaskQuotaExceededException``, 429); a unit owns at most
``nguon.speech.synthesis.MAX_LEXICONS_PER_UNIT`` lexicons. Breaks and the length of a reading
are capped (``BreakTimeExceededException``, ``OutputDurationExceededException``).
"""

import json
import time
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from nguon import errors as domain_errors
from nguon.config import get_settings
from nguon.cors import console_cors
from nguon.identity import current_principal
from nguon.models.principal import Principal, Role
from nguon.observability import logger, metrics
from nguon.speech.errors import (
    AccessDeniedException,
    ServiceFailureException,
    SpeechError,
    UnauthorizedException,
    ValidationException,
)
from nguon.speech.owners import SpeechOwner
from speech_api.dependencies import speech_service, speech_tasks, unit_service

LEXICON_WRITERS = frozenset({Role.ADMIN, Role.EDITOR})

# The console's TTS preview fetches audio here from the browser: its origin only (nguon.cors).
app = APIGatewayRestResolver(strip_prefixes=["/tts"], cors=console_cors(get_settings()))


class SerializationException(SpeechError):
    """The body is not the JSON object the operation takes."""


class UnknownOperationException(SpeechError):
    """No Polly operation has this method and path."""

    status = 404


# ---------------------------------------------------------------- answers


def _request_id() -> str:
    try:
        return str(app.current_event.request_context.request_id or "")
    except (AttributeError, KeyError):
        return ""


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        headers={"x-amzn-RequestId": _request_id()},
    )


def _error(error: SpeechError) -> Response:
    return Response(
        status_code=error.status,
        content_type="application/json",
        body=json.dumps(error.body(), ensure_ascii=False),
        headers={"x-amzn-ErrorType": error.code, "x-amzn-RequestId": _request_id()},
    )


@app.exception_handler(SpeechError)
def _speech_error(error: SpeechError) -> Response:
    if error.status >= 500:
        logger.error("speech failure", extra={"error_type": error.code, "reason": error.message})
    else:
        logger.info("speech refused", extra={"error_type": error.code, "reason": error.message})
    return _error(error)


@app.exception_handler(domain_errors.NguonError)
def _domain_error(error: domain_errors.NguonError) -> Response:
    if isinstance(error, domain_errors.Unauthenticated):
        return _error(UnauthorizedException("Not signed in, or the session has expired."))
    metrics.add_metric(name="AccessDenied", unit="Count", value=1)
    return _error(AccessDeniedException("You are not allowed to do this."))


@app.not_found
def _no_operation(_: NotFoundError) -> Response:
    event = app.current_event
    return _error(UnknownOperationException(f"No operation for {event.http_method} {event.path}."))


@app.exception_handler(Exception)
def _unexpected(error: Exception) -> Response:
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    metrics.add_metric(name="UnhandledError", unit="Count", value=1)
    return _error(ServiceFailureException("An internal error occurred. Try again later."))


# ---------------------------------------------------------------- reading requests


def _principal() -> Principal:
    return current_principal(app.current_event)


def _owner(principal: Principal | None = None) -> SpeechOwner:
    """The caller's place: what they own, see and may change (see the module's docstring)."""
    return SpeechOwner.of(principal or _principal(), unit_service())


def _body() -> dict[str, Any]:
    try:
        # decoded_body inside: bytes that are not UTF-8 (or bad base64) are the caller's fault.
        body = json.loads(app.current_event.decoded_body or "{}")
    except ValueError:  # UnicodeDecodeError and binascii.Error included
        raise SerializationException("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise SerializationException("The request body must be a JSON object.")
    return body


def _query(name: str) -> str | None:
    return (app.current_event.query_string_parameters or {}).get(name)


def _account() -> str:
    arn = getattr(app.lambda_context, "invoked_function_arn", "") or ""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else "000000000000"


def _lexicon_arn(name: str) -> str:
    from nguon.config import get_settings

    return f"arn:aws:polly:{get_settings().region}:{_account()}:lexicon/{name}"


# ---------------------------------------------------------------- voices and speech


@app.get("/v1/voices")
def describe_voices() -> Response:
    _principal()
    include = (_query("IncludeAdditionalLanguageCodes") or "false").lower() == "true"
    answer = speech_service().describe_voices(
        _query("LanguageCode"),
        engine=_query("Engine"),
        include_additional_language_codes=include,
        next_token=_query("NextToken"),
    )
    return _json(answer)


@app.post("/v1/speech")
def synthesize_speech() -> Response:
    principal = _principal()
    from nguon.speech.plans import SynthesisRequest

    request = SynthesisRequest.from_polly(_body())
    started = time.perf_counter()
    result = speech_service().synthesize(request, owner=_owner(principal))
    logger.info(
        "synthesized",
        extra={
            "user": principal.user_id,
            "voice": request.voice_id,
            "format": request.output_format,
            "characters": result.request_characters,
            "audio_ms": result.duration_ms,
            "took_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    metrics.add_metric(name="SpeechCharacters", unit="Count", value=result.request_characters)
    return Response(
        status_code=200,
        content_type=result.content_type,
        body=result.audio,  # bytes: Powertools answers base64 with isBase64Encoded
        headers={
            "x-amzn-RequestCharacters": str(result.request_characters),
            "x-amzn-RequestId": _request_id(),
        },
    )


# ---------------------------------------------------------------- tasks


@app.post("/v1/synthesisTasks")
def start_speech_synthesis_task() -> Response:
    task = speech_tasks().start(_body(), owner=_owner())
    logger.info("speech task started", extra={"task_id": task["TaskId"]})
    return _json({"SynthesisTask": task})


@app.get("/v1/synthesisTasks")
def list_speech_synthesis_tasks() -> Response:
    owner = _owner()
    raw = _query("MaxResults")
    try:
        max_results = None if raw is None else int(raw)
    except ValueError:
        raise ValidationException(
            f"Value '{raw}' at 'maxResults' failed to satisfy constraint: Member must be an "
            "integer",
            field="MaxResults",
        ) from None
    answer = speech_tasks().list(owner, _query("Status"), max_results, _query("NextToken"))
    return _json(answer)


@app.get("/v1/synthesisTasks/<task_id>")
def get_speech_synthesis_task(task_id: str) -> Response:
    return _json({"SynthesisTask": speech_tasks().get(task_id, _owner())})


# ---------------------------------------------------------------- lexicons


@app.get("/v1/lexicons")
def list_lexicons() -> Response:
    lexicons, token = speech_service().list_lexicons(_query("NextToken"), owner=_owner())
    answer: dict[str, Any] = {
        "Lexicons": [
            {"Name": lexicon.name, "Attributes": lexicon.attributes(_lexicon_arn(lexicon.name))}
            for lexicon in lexicons
        ]
    }
    if token:
        answer["NextToken"] = token
    return _json(answer)


@app.get("/v1/lexicons/<name>")
def get_lexicon(name: str) -> Response:
    lexicon = speech_service().get_lexicon(name, _owner())
    return _json(
        {
            "Lexicon": {"Content": lexicon.content, "Name": lexicon.name},
            "LexiconAttributes": lexicon.attributes(_lexicon_arn(lexicon.name)),
        }
    )


@app.put("/v1/lexicons/<name>")
def put_lexicon(name: str) -> Response:
    principal = _principal()
    _require_lexicon_writer(principal)
    content = _body().get("Content")
    if not isinstance(content, str):
        raise ValidationException(
            "1 validation error detected: Value at 'content' failed to satisfy constraint: "
            "Member must not be null",
            field="Content",
        )
    lexicon = speech_service().put_lexicon(name, content, now=time.time(), owner=_owner(principal))
    logger.info("lexicon stored", extra={"lexicon": name, "lexemes": len(lexicon.lexemes)})
    return _json({})


@app.delete("/v1/lexicons/<name>")
def delete_lexicon(name: str) -> Response:
    principal = _principal()
    _require_lexicon_writer(principal)
    speech_service().delete_lexicon(name, _owner(principal))
    logger.info("lexicon deleted", extra={"lexicon": name})
    return _json({})


def _require_lexicon_writer(principal: Principal) -> None:
    if not principal.roles & LEXICON_WRITERS:
        metrics.add_metric(name="AccessDenied", unit="Count", value=1)
        raise AccessDeniedException(
            "Changing lexicons needs the admin or editor role: they change everyone's speech."
        )
