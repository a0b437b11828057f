"""The Polly-shaped API through botocore's own polly client (its serializer and parser)."""

import json

import pytest
from botocore.exceptions import ClientError

from nguon.speech.lexicons import render_lexicon
from tests.unit.speech.conftest import Context, Gateway, audio_info, polly_client

TEXT = "Ủy ban nhân dân xã Nhơn Bình thông báo lịch tiêm chủng. Bà con đến đúng giờ!"


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_describe_voices_lists_the_three_accents_in_polly_shape(polly):
    voices = polly.describe_voices()["Voices"]

    by_id = {voice["Id"]: voice for voice in voices}
    assert {"Bac", "Trung", "Nam", "BacNu", "TrungNu", "NamNu"} <= set(by_id)
    assert by_id["Trung"] == {
        "Gender": "Male",
        "Id": "Trung",
        "LanguageCode": "vi-VN",
        "LanguageName": "Vietnamese",
        "Name": "Trung (giọng Huế, nam)",
        "SupportedEngines": ["standard"],
    }
    assert polly.describe_voices(LanguageCode="en-US")["Voices"] == []
    assert len(polly.describe_voices(LanguageCode="vi-VN", Engine="standard")["Voices"]) == 6
    assert polly.describe_voices(Engine="neural")["Voices"] == []


@pytest.mark.parametrize(
    ("fmt", "content_type", "rate", "codec"),
    [
        ("mp3", "audio/mpeg", 22050, "mp3"),
        ("ogg_vorbis", "audio/ogg", 22050, "vorbis"),
        ("pcm", "audio/pcm", 16000, None),
    ],
)
def test_synthesize_speech_answers_decodable_audio(polly, fmt, content_type, rate, codec):
    answer = polly.synthesize_speech(Text=TEXT, VoiceId="Trung", OutputFormat=fmt)

    audio = answer["AudioStream"].read()
    assert answer["ContentType"] == content_type
    assert answer["RequestCharacters"] == len(TEXT)
    if codec is None:  # Polly's pcm: raw s16le mono at 16 kHz
        duration = len(audio) / 2 / rate
    else:
        info = audio_info(audio, fmt)
        assert (info["codec"], info["sample_rate"], info["channels"]) == (codec, rate, 1)
        duration = info["duration_s"]
    assert 3 <= duration <= 12  # 17 words


def test_sample_rates_follow_pollys_rules(polly):
    audio = polly.synthesize_speech(
        Text=TEXT, VoiceId="Bac", OutputFormat="mp3", SampleRate="8000"
    )["AudioStream"].read()
    assert audio_info(audio, "mp3")["sample_rate"] == 8000
    pcm = polly.synthesize_speech(
        Text="Xin chào.", VoiceId="Bac", OutputFormat="pcm", SampleRate="8000"
    )["AudioStream"].read()
    assert 0.3 < len(pcm) / 2 / 8000 < 3

    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text=TEXT, VoiceId="Bac", OutputFormat="pcm", SampleRate="22050")
    assert error_of(raised)[:2] == ("InvalidSampleRateException", 400)


def test_speech_marks_are_utf8_byte_offsets_into_the_input(polly):
    answer = polly.synthesize_speech(
        Text=TEXT, VoiceId="Nam", OutputFormat="json", SpeechMarkTypes=["sentence", "word"]
    )

    assert answer["ContentType"] == "application/x-json-stream"
    lines = answer["AudioStream"].read().decode("utf-8").splitlines()
    marks = [json.loads(line) for line in lines]
    encoded = TEXT.encode("utf-8")
    assert [list(mark) for mark in marks] == [["time", "type", "start", "end", "value"]] * len(
        marks
    )
    for mark in marks:
        assert encoded[mark["start"] : mark["end"]].decode("utf-8") == mark["value"]
    sentences = [mark for mark in marks if mark["type"] == "sentence"]
    assert [mark["value"] for mark in sentences] == [
        "Ủy ban nhân dân xã Nhơn Bình thông báo lịch tiêm chủng.",
        "Bà con đến đúng giờ!",
    ]
    assert sentences[1]["start"] == len(TEXT[: TEXT.index("Bà")].encode("utf-8"))
    words = [mark for mark in marks if mark["type"] == "word"]
    assert "Nhơn" in [mark["value"] for mark in words]
    times = [mark["time"] for mark in marks]
    assert times == sorted(times)
    assert sentences[1]["time"] > 1000


def test_ssml_marks_need_ssml_and_json_needs_marks(polly):
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(
            Text=TEXT, VoiceId="Nam", OutputFormat="json", SpeechMarkTypes=["ssml"]
        )
    assert error_of(raised)[:2] == ("SsmlMarksNotSupportedForTextTypeException", 400)
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text=TEXT, VoiceId="Nam", OutputFormat="json")
    assert error_of(raised)[:2] == ("MarksNotSupportedForFormatException", 400)
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(
            Text=TEXT, VoiceId="Nam", OutputFormat="mp3", SpeechMarkTypes=["word"]
        )
    assert error_of(raised)[:2] == ("MarksNotSupportedForFormatException", 400)


def test_ssml_request_with_marks(polly):
    ssml = '<speak>Xin chào <mark name="giua"/>bà con.<break time="1s"/>Hết.</speak>'
    answer = polly.synthesize_speech(
        Text=ssml,
        TextType="ssml",
        VoiceId="Trung",
        OutputFormat="json",
        SpeechMarkTypes=["ssml", "sentence"],
    )
    marks = [json.loads(line) for line in answer["AudioStream"].read().decode().splitlines()]
    ssml_mark = next(mark for mark in marks if mark["type"] == "ssml")
    assert ssml_mark["value"] == "giua"
    assert ssml.encode()[ssml_mark["start"] : ssml_mark["end"]] == b'<mark name="giua"/>'
    assert answer["RequestCharacters"] == len("Xin chào bà con.Hết.")


def test_text_length_is_limited_as_pollys(polly):
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text="a" * 3001, VoiceId="Trung", OutputFormat="mp3")
    code, status, message = error_of(raised)
    assert (code, status) == ("TextLengthExceededException", 400)
    assert "3001" in message
    # SSML tags are not billed: 2,900 characters of text in 3,400 of SSML are fine.
    ssml = "<speak>" + "<s>" + "a " * 1450 + "</s>" + "<break/>" * 50 + "</speak>"
    answer = polly.synthesize_speech(Text=ssml, TextType="ssml", VoiceId="Bac", OutputFormat="pcm")
    assert answer["RequestCharacters"] == 2900


def test_unknown_voice_is_a_validation_error_on_voice_id(polly):
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text="Xin chào", VoiceId="Joanna", OutputFormat="mp3")
    code, status, message = error_of(raised)
    assert (code, status) == ("ValidationException", 400)
    assert "voiceId" in message
    assert raised.value.response["reason"] == "fieldValidationFailed"
    assert raised.value.response["fields"][0]["name"] == "VoiceId"


def test_invalid_ssml_and_engine(polly):
    with pytest.raises(polly.exceptions.InvalidSsmlException):
        polly.synthesize_speech(
            Text="<speak>Xin <chao></speak>", TextType="ssml", VoiceId="Bac", OutputFormat="mp3"
        )
    with pytest.raises(polly.exceptions.EngineNotSupportedException):
        polly.synthesize_speech(Text="Xin", VoiceId="Bac", OutputFormat="mp3", Engine="neural")
    with pytest.raises(polly.exceptions.LanguageNotSupportedException):
        polly.synthesize_speech(Text="Xin", VoiceId="Bac", OutputFormat="mp3", LanguageCode="en-US")


def test_lexicons_put_get_list_delete(polly):
    content = render_lexicon("vi-VN", {"HTX": "hợp tác xã", "UBND": "ủy ban nhân dân"})

    polly.put_lexicon(Name="DiaPhuong", Content=content)
    got = polly.get_lexicon(Name="DiaPhuong")
    assert got["Lexicon"] == {"Content": content, "Name": "DiaPhuong"}
    attributes = got["LexiconAttributes"]
    assert attributes["Alphabet"] == "ipa"
    assert attributes["LanguageCode"] == "vi-VN"
    assert attributes["LexemesCount"] == 2
    assert attributes["Size"] == len(content)
    assert attributes["LexiconArn"] == (
        "arn:aws:polly:ap-southeast-1:123456789012:lexicon/DiaPhuong"
    )
    assert attributes["LastModified"].year >= 2025  # botocore parsed the timestamp
    listed = polly.list_lexicons()["Lexicons"]
    assert [lexicon["Name"] for lexicon in listed] == ["DiaPhuong"]
    assert listed[0]["Attributes"]["LexemesCount"] == 2

    answer = polly.synthesize_speech(
        Text="HTX Nhơn Bình họp.",
        VoiceId="Trung",
        OutputFormat="json",
        SpeechMarkTypes=["word"],
        LexiconNames=["DiaPhuong"],
    )
    words = [json.loads(line) for line in answer["AudioStream"].read().decode().splitlines()]
    assert words[0]["value"] == "HTX"

    polly.delete_lexicon(Name="DiaPhuong")
    with pytest.raises(ClientError) as raised:
        polly.get_lexicon(Name="DiaPhuong")
    assert error_of(raised)[:2] == ("LexiconNotFoundException", 404)
    with pytest.raises(polly.exceptions.LexiconNotFoundException):
        polly.delete_lexicon(Name="DiaPhuong")
    with pytest.raises(polly.exceptions.LexiconNotFoundException):
        polly.synthesize_speech(
            Text="HTX", VoiceId="Trung", OutputFormat="mp3", LexiconNames=["DiaPhuong"]
        )


def test_invalid_lexicons_are_refused(polly):
    with pytest.raises(polly.exceptions.InvalidLexiconException):
        polly.put_lexicon(Name="Hong", Content="<lexicon>")
    with pytest.raises(polly.exceptions.UnsupportedPlsAlphabetException):
        polly.put_lexicon(
            Name="Hong", Content=render_lexicon("vi-VN", {"A": "a"}, alphabet="arpabet")
        )
    with pytest.raises(polly.exceptions.UnsupportedPlsLanguageException):
        polly.put_lexicon(Name="Hong", Content=render_lexicon("xx-XX", {"A": "a"}))
    big = render_lexicon("vi-VN", {f"T{i}": "từ " * 20 for i in range(700)})
    with pytest.raises(polly.exceptions.LexiconSizeExceededException):
        polly.put_lexicon(Name="Hong", Content=big)
    with pytest.raises(ClientError) as raised:
        polly.put_lexicon(Name="ten-co-gach", Content=render_lexicon("vi-VN", {"A": "a"}))
    assert error_of(raised)[0] == "ValidationException"


def test_changing_lexicons_needs_admin_or_editor(aws, speech_app):
    viewer = {"sub": "u2", "cognito:groups": "viewer", "custom:unit": "52"}
    with Gateway(speech_app.lambda_handler, claims=viewer) as gateway:
        client = polly_client(gateway.url)
        with pytest.raises(ClientError) as raised:
            client.put_lexicon(Name="A1", Content=render_lexicon("vi-VN", {"A": "a"}))
        assert error_of(raised)[:2] == ("AccessDeniedException", 403)
        # reading and speaking are for every signed-in staff member
        assert client.list_lexicons()["Lexicons"] == []
        assert client.synthesize_speech(Text="Xin chào", VoiceId="Bac", OutputFormat="pcm")


def test_no_identity_is_401_in_pollys_error_shape(aws, speech_app):
    with (
        Gateway(speech_app.lambda_handler, claims={}) as gateway,
        pytest.raises(ClientError) as raised,
    ):
        polly_client(gateway.url).describe_voices()
    assert error_of(raised)[:2] == ("UnauthorizedException", 401)


def test_tasks_start_run_through_the_queue_and_land_in_s3(aws, polly, speech_app):
    bucket = aws["settings"].media_bucket
    started = polly.start_speech_synthesis_task(
        Text=TEXT,
        VoiceId="Trung",
        OutputFormat="mp3",
        OutputS3BucketName=bucket,
        OutputS3KeyPrefix="speech/test-",
        SnsTopicArn="arn:aws:sns:ap-southeast-1:123456789012:speech-done",
    )["SynthesisTask"]
    task_id = started["TaskId"]
    assert started["TaskStatus"] == "scheduled"
    assert started["RequestCharacters"] == len(TEXT)
    assert started["SnsTopicArn"].endswith(":speech-done")
    key = f"synthesis/52/speech/test-{task_id}.mp3"  # under the owner's unit, apart
    assert started["OutputUri"] == f"https://s3.ap-southeast-1.amazonaws.com/{bucket}/{key}"

    messages = aws["sqs"].receive_message(
        QueueUrl=aws["settings"].synthesis_tasks_queue, MaxNumberOfMessages=10
    )["Messages"]
    assert [json.loads(m["Body"]) for m in messages] == [{"task_id": task_id}]
    event = {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:nguon-speech-tasks-dev",
                "awsRegion": "ap-southeast-1",
            }
            for m in messages
        ]
    }
    assert speech_app.task_handler(event, Context()) == {"batchItemFailures": []}

    done = polly.get_speech_synthesis_task(TaskId=task_id)["SynthesisTask"]
    assert done["TaskStatus"] == "completed"
    assert done["CreationTime"] == started["CreationTime"]
    stored = aws["s3"].get_object(Bucket=bucket, Key=key)
    assert stored["ContentType"] == "audio/mpeg"
    assert audio_info(stored["Body"].read(), "mp3")["duration_s"] > 3
    # a redelivered message changes nothing
    assert speech_app.task_handler(event, Context()) == {"batchItemFailures": []}

    listed = polly.list_speech_synthesis_tasks()["SynthesisTasks"]
    assert [task["TaskId"] for task in listed] == [task_id]
    assert polly.list_speech_synthesis_tasks(Status="scheduled")["SynthesisTasks"] == []


def test_task_listing_pages_newest_first(aws, polly):
    bucket = aws["settings"].media_bucket
    ids = [
        polly.start_speech_synthesis_task(
            Text=f"Bản tin số {n}.",
            VoiceId="Bac",
            OutputFormat="ogg_vorbis",
            OutputS3BucketName=bucket,
        )["SynthesisTask"]["TaskId"]
        for n in range(3)
    ]
    first = polly.list_speech_synthesis_tasks(MaxResults=2)
    assert len(first["SynthesisTasks"]) == 2
    second = polly.list_speech_synthesis_tasks(MaxResults=2, NextToken=first["NextToken"])
    seen = [t["TaskId"] for t in first["SynthesisTasks"] + second["SynthesisTasks"]]
    assert sorted(seen) == sorted(ids)
    assert seen[0] == ids[-1]
    assert "NextToken" not in second
    with pytest.raises(polly.exceptions.InvalidNextTokenException):
        polly.list_speech_synthesis_tasks(NextToken="bm90IGEgdG9rZW4=")


def test_deep_ssml_is_a_400_with_a_message_sync_and_as_a_task(aws, polly):
    from nguon.speech.ssml import MAX_DEPTH

    deep = (
        "<speak>" + "<p>" * 800 + "a" + "</p>" * 800 + "</speak>"
    )  # under 6,000 characters in all
    with pytest.raises(ClientError) as raised:
        polly.synthesize_speech(Text=deep, TextType="ssml", VoiceId="Bac", OutputFormat="mp3")
    code, status, message = error_of(raised)
    assert (code, status) == ("InvalidSsmlException", 400)
    assert f"nested more than {MAX_DEPTH} deep" in message
    deeper = "<speak>" + "<s>" * 25_000 + "a" + "</s>" * 25_000 + "</speak>"
    with pytest.raises(ClientError) as raised:
        polly.start_speech_synthesis_task(
            Text=deeper,
            TextType="ssml",
            VoiceId="Bac",
            OutputFormat="mp3",
            OutputS3BucketName=aws["settings"].media_bucket,
        )
    assert error_of(raised)[:2] == ("InvalidSsmlException", 400)


def test_task_errors(aws, polly):
    bucket = aws["settings"].media_bucket
    with pytest.raises(polly.exceptions.InvalidS3BucketException):
        polly.start_speech_synthesis_task(
            Text="a", VoiceId="Bac", OutputFormat="mp3", OutputS3BucketName="someone-elses"
        )
    with pytest.raises(polly.exceptions.InvalidS3KeyException):
        polly.start_speech_synthesis_task(
            Text="a",
            VoiceId="Bac",
            OutputFormat="mp3",
            OutputS3BucketName=bucket,
            OutputS3KeyPrefix="có dấu/",
        )
    with pytest.raises(polly.exceptions.TextLengthExceededException):
        polly.start_speech_synthesis_task(
            Text="a " * 50_001, VoiceId="Bac", OutputFormat="mp3", OutputS3BucketName=bucket
        )
    with pytest.raises(ClientError) as raised:
        polly.get_speech_synthesis_task(TaskId="no-such-task")
    assert error_of(raised)[:2] == ("SynthesisTaskNotFoundException", 400)
    with pytest.raises(ClientError) as raised:
        polly.get_speech_synthesis_task(TaskId="bad.id")
    assert error_of(raised)[:2] == ("InvalidTaskIdException", 400)


def test_speech_marks_task_writes_a_marks_file(aws, polly, speech_app):
    bucket = aws["settings"].media_bucket
    task = polly.start_speech_synthesis_task(
        Text=TEXT,
        VoiceId="Bac",
        OutputFormat="json",
        SpeechMarkTypes=["sentence"],
        OutputS3BucketName=bucket,
    )["SynthesisTask"]
    assert task["OutputUri"].endswith(f"/{task['TaskId']}.marks")
    from speech_api.dependencies import speech_tasks

    assert speech_tasks().run(task["TaskId"]) == "completed"
    key = f"synthesis/52/{task['TaskId']}.marks"
    body = aws["s3"].get_object(Bucket=bucket, Key=key)["Body"].read()
    assert [json.loads(line)["type"] for line in body.decode().splitlines()] == ["sentence"] * 2


def test_unknown_operation_and_bad_json(gateway):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{gateway.url}/tts/v1/nothing", method="GET")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)
    assert raised.value.code == 404
    assert raised.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    request = urllib.request.Request(
        f"{gateway.url}/tts/v1/speech", data=b"{not json", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)
    assert raised.value.code == 400
    assert json.loads(raised.value.read())["message"]


def test_sample_event_is_answered_with_mp3(aws, speech_app):
    from pathlib import Path

    event = json.loads(
        (Path(__file__).parents[3] / "events" / "speech-synthesize.json").read_text()
    )
    answer = speech_app.lambda_handler(event, Context())

    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is True
    assert answer["multiValueHeaders"]["Content-Type"] == ["audio/mpeg"]
    assert int(answer["multiValueHeaders"]["x-amzn-RequestCharacters"][0]) > 50
    import base64

    assert audio_info(base64.b64decode(answer["body"]), "mp3")["sample_rate"] == 22050


def test_task_handler_reports_unreadable_records(speech_app, aws):
    event = {
        "Records": [
            {
                "messageId": "m1",
                "receiptHandle": "r1",
                "body": '{"kind": "something_else"}',
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:q",
                "awsRegion": "ap-southeast-1",
            }
        ]
    }
    assert speech_app.task_handler(event, Context()) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}]
    }


@pytest.mark.parametrize("body", [b'{"Text": "\xff\xfe"}', b"\x80"])
def test_a_body_that_is_not_utf8_is_a_serialization_error(aws, speech_app, body):
    import base64
    from pathlib import Path

    event = json.loads(
        (Path(__file__).parents[3] / "events" / "speech-synthesize.json").read_text()
    )
    event.update(body=base64.b64encode(body).decode(), isBase64Encoded=True)

    answer = speech_app.lambda_handler(event, Context())

    assert answer["statusCode"] == 400
    assert answer["multiValueHeaders"]["x-amzn-ErrorType"] == ["SerializationException"]
