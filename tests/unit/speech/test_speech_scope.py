"""Issue 11, case 6: the speech API is no longer one global space.

Tasks and lexicons belong to the caller's home unit: a task is seen in its owner's subtree
only; a province lexicon applies to everything below it, a commune's to that commune only,
and only users whose area holds a lexicon may overwrite or delete it. Per-user and per-unit
quotas, synthesis tasks on a queue and key prefix of their own, and caps on the total
``<break>`` time and the output's length, all through a boto3 ``polly`` client.
"""

import json

import pytest
from botocore.exceptions import ClientError

from nguon.speech.lexicons import render_lexicon
from nguon.speech.synthesis import MAX_LEXICONS_PER_UNIT
from nguon.speech.tasks import MAX_ACTIVE_TASKS_PER_USER
from tests.unit.speech.conftest import Gateway, polly_client


def claims(user: str, unit: str, groups: str = "editor") -> dict:
    return {"sub": user, "cognito:username": user, "cognito:groups": groups, "custom:unit": unit}


@pytest.fixture
def clients(aws, speech_app):
    """A Polly client per person: commune 21550, its district 540, the province, and
    commune 21808 in another district."""
    people = {
        "xa": claims("xa", "21550"),
        "huyen": claims("huyen", "540"),
        "tinh": claims("tinh", "52"),
        "tayson": claims("tayson", "21808"),
    }
    gateways = {name: Gateway(speech_app.lambda_handler, claims=c) for name, c in people.items()}
    for gateway in gateways.values():
        gateway.__enter__()
    yield {name: polly_client(gateway.url) for name, gateway in gateways.items()}
    for gateway in gateways.values():
        gateway.__exit__(None, None, None)


def error_of(raised) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"].get("Message", ""),
    )


def start(client, aws, text="Xin chào bà con.", **options):
    return client.start_speech_synthesis_task(
        Text=text,
        VoiceId="Trung",
        OutputFormat="mp3",
        OutputS3BucketName=aws["settings"].media_bucket,
        **options,
    )["SynthesisTask"]


# --- tasks ------------------------------------------------------------------------------------


def test_a_task_is_seen_in_its_owners_subtree_only(aws, clients):
    task = start(clients["xa"], aws)

    assert clients["huyen"].get_speech_synthesis_task(TaskId=task["TaskId"])
    assert clients["tinh"].get_speech_synthesis_task(TaskId=task["TaskId"])
    with pytest.raises(ClientError) as raised:
        clients["tayson"].get_speech_synthesis_task(TaskId=task["TaskId"])
    listed = {
        name: [t["TaskId"] for t in client.list_speech_synthesis_tasks()["SynthesisTasks"]]
        for name, client in clients.items()
    }

    assert error_of(raised)[:2] == ("SynthesisTaskNotFoundException", 400)
    assert listed == {"xa": [task["TaskId"]], "huyen": [task["TaskId"]], "tinh": [task["TaskId"]],
                      "tayson": []}  # fmt: skip


def test_a_task_lands_under_its_own_prefix_not_among_bulletin_voices(aws, clients):
    task = start(clients["xa"], aws, OutputS3KeyPrefix="voices/")

    bucket = aws["settings"].media_bucket
    assert task["OutputUri"].startswith(
        f"https://s3.ap-southeast-1.amazonaws.com/{bucket}/synthesis/21550/voices/"
    )


def test_queued_tasks_per_user_are_limited(aws, clients):
    for _ in range(MAX_ACTIVE_TASKS_PER_USER):
        start(clients["xa"], aws)

    with pytest.raises(ClientError) as raised:
        start(clients["xa"], aws)
    other = start(clients["huyen"], aws)  # a quota per person, not per area

    code, status, message = error_of(raised)
    assert (code, status) == ("TaskQuotaExceededException", 429)
    assert str(MAX_ACTIVE_TASKS_PER_USER) in message
    assert other["TaskStatus"] == "scheduled"


def test_tasks_go_to_the_synthesis_queue_when_one_is_configured(aws, speech_app, monkeypatch):
    from nguon.config import get_settings

    sqs = aws["sqs"]
    url = sqs.create_queue(QueueName="nguon-synthesis-tasks-test")["QueueUrl"]
    monkeypatch.setenv("NGUON_SYNTHESIS_TASKS_QUEUE", url)
    get_settings.cache_clear()
    from speech_api import dependencies

    dependencies.speech_tasks.cache_clear()
    with Gateway(speech_app.lambda_handler, claims=claims("xa", "21550")) as gateway:
        task = start(polly_client(gateway.url), aws)

    mine = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    voices = sqs.receive_message(
        QueueUrl=aws["settings"].synthesis_tasks_queue, MaxNumberOfMessages=10
    ).get("Messages", [])
    assert [json.loads(m["Body"]) for m in mine] == [{"task_id": task["TaskId"]}]
    assert voices == []


# --- breaks and length ------------------------------------------------------------------------


def test_breaks_add_up_to_a_limit(aws, clients):
    # 6 KB of ten-second breaks made 52 minutes of silence before the cap.
    ssml = "<speak>" + '<break time="10s"/>' * 300 + "Xin chào.</speak>"

    with pytest.raises(ClientError) as sync:
        clients["xa"].synthesize_speech(
            Text=ssml, TextType="ssml", VoiceId="Trung", OutputFormat="mp3"
        )
    with pytest.raises(ClientError) as task:
        start(clients["xa"], aws, text=ssml, TextType="ssml")

    assert error_of(sync)[:2] == ("BreakTimeExceededException", 400)
    assert error_of(task)[:2] == ("BreakTimeExceededException", 400)


def test_the_output_length_is_capped(aws, clients):
    # Slowed to a fifth, 3,000 characters would read for well over the synchronous cap.
    ssml = '<speak><prosody rate="20%">' + "Bà con chú ý. " * 200 + "</prosody></speak>"

    with pytest.raises(ClientError) as raised:
        clients["xa"].synthesize_speech(
            Text=ssml, TextType="ssml", VoiceId="Trung", OutputFormat="mp3"
        )

    assert error_of(raised)[:2] == ("OutputDurationExceededException", 400)


# --- lexicons ---------------------------------------------------------------------------------


def lexicon(words: dict[str, str]) -> str:
    return render_lexicon("vi-VN", words)


def marks(client, text: str, names: list[str]) -> list[str]:
    answer = client.synthesize_speech(
        Text=text, VoiceId="Trung", OutputFormat="json", SpeechMarkTypes=["word"],
        LexiconNames=names,
    )  # fmt: skip
    return [json.loads(line)["value"] for line in answer["AudioStream"].read().splitlines()]


def test_a_province_lexicon_applies_below_and_a_communes_to_it_only(aws, clients):
    clients["tinh"].put_lexicon(Name="Tinh", Content=lexicon({"UBND": "ủy ban nhân dân"}))
    clients["xa"].put_lexicon(Name="Xa", Content=lexicon({"HTX": "hợp tác xã"}))

    assert marks(clients["tayson"], "UBND họp.", ["Tinh"])  # the province's applies everywhere
    with pytest.raises(ClientError) as used:
        marks(clients["tayson"], "HTX họp.", ["Xa"])
    with pytest.raises(ClientError) as read:
        clients["tayson"].get_lexicon(Name="Xa")
    listed = {
        name: sorted(item["Name"] for item in client.list_lexicons()["Lexicons"])
        for name, client in clients.items()
    }

    assert error_of(used)[:2] == ("LexiconNotFoundException", 404)
    assert error_of(read)[:2] == ("LexiconNotFoundException", 404)
    assert listed == {
        "xa": ["Tinh", "Xa"],
        "huyen": ["Tinh", "Xa"],  # the commune's is in the district's area to look after
        "tinh": ["Tinh", "Xa"],
        "tayson": ["Tinh"],
    }


def test_only_users_whose_area_holds_a_lexicon_change_it(aws, clients):
    clients["tinh"].put_lexicon(Name="Tinh", Content=lexicon({"UBND": "ủy ban nhân dân"}))
    clients["xa"].put_lexicon(Name="Xa", Content=lexicon({"HTX": "hợp tác xã"}))

    refused = []
    for client, name in ((clients["xa"], "Tinh"), (clients["tayson"], "Xa")):
        with pytest.raises(ClientError) as overwrite:
            client.put_lexicon(Name=name, Content=lexicon({"A": "a"}))
        with pytest.raises(ClientError) as delete:
            client.delete_lexicon(Name=name)
        refused += [error_of(overwrite)[:2], error_of(delete)[:2]]
    clients["huyen"].put_lexicon(Name="Xa", Content=lexicon({"HTX": "hợp tác xã Nhơn Bình"}))

    assert refused == [
        ("AccessDeniedException", 403),  # the province's, which the commune uses
        ("AccessDeniedException", 403),
        ("AccessDeniedException", 403),  # names are shared: taken by another commune
        ("LexiconNotFoundException", 404),  # out of sight: no word of it
    ]
    assert clients["tinh"].get_lexicon(Name="Tinh")["LexiconAttributes"]["LexemesCount"] == 1
    assert "Nhơn Bình" in clients["xa"].get_lexicon(Name="Xa")["Lexicon"]["Content"]


def test_lexicons_per_unit_are_limited(aws, clients):
    for number in range(MAX_LEXICONS_PER_UNIT):
        clients["xa"].put_lexicon(Name=f"Xa{number}", Content=lexicon({"A": "a"}))

    clients["xa"].put_lexicon(Name="Xa0", Content=lexicon({"B": "b"}))  # a rewrite is no new one
    with pytest.raises(ClientError) as raised:
        clients["xa"].put_lexicon(Name="XaMoi", Content=lexicon({"A": "a"}))
    clients["huyen"].put_lexicon(Name="Huyen", Content=lexicon({"A": "a"}))

    code, status, message = error_of(raised)
    assert (code, status) == ("MaxLexiconsNumberExceededException", 400)
    assert str(MAX_LEXICONS_PER_UNIT) in message


def test_legacy_items_without_an_owner_belong_to_the_province(aws, clients):
    from nguon.storage.speech import LexiconItem

    LexiconItem(
        pk="LEXICON#Cu", sk="LEXICON", content=lexicon({"A": "a"}), last_modified=0,
        gsi1pk="LEXICONS", gsi1sk="Cu",
    ).save()  # fmt: skip

    assert clients["tayson"].get_lexicon(Name="Cu")
    with pytest.raises(ClientError) as raised:
        clients["huyen"].delete_lexicon(Name="Cu")
    clients["tinh"].delete_lexicon(Name="Cu")

    assert error_of(raised)[:2] == ("AccessDeniedException", 403)


def test_no_unit_no_speech(aws, speech_app):
    unknown = claims("ghost", "99999")
    with (
        Gateway(speech_app.lambda_handler, claims=unknown) as gateway,
        pytest.raises(ClientError) as raised,
    ):
        polly_client(gateway.url).list_lexicons()
    assert error_of(raised)[:2] == ("AccessDeniedException", 403)
