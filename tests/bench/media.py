"""Media ingest of ten minutes of speech-like audio, against ffmpeg's bare loudness pass.

The file (10 minutes, 44.1 kHz mono WAV: band-limited noise shaped into syllables, sentences
and pauses, about -30 LUFS) is made once. Then, interleaved, median of 3 each:

- ingest: the whole pipeline through :class:`nguon.services.ingest_queue.IngestConsumer` on a
  notification, with DynamoDB and S3 in moto in-process — head and ranged read of the upload,
  sniffing, download, ffprobe, the two-pass EBU R128 loudnorm to a mono MP3, the measure of the
  result, a probe of it, the upload of the variant and the conditional writes;
- baseline: ``ffmpeg -i in.wav -af loudnorm=I=-16:TP=-1:LRA=11 -ac 1 out.mp3`` on the same file
  (one pass, loudnorm's dynamic mode, nothing measured or stored).

``python -m tests.bench.media`` prints the figures (``--quick``: two minutes of audio).
"""

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.lambda_env import function_environment

RUNS = 3
SECONDS = 600
QUICK_SECONDS = 120


def speech_like_wav(path: Path, seconds: int) -> None:
    """Pink noise in the voice band, opened and closed four times a second (syllables), in
    five-second sentences with two-second pauses, over a faint hum: speech's loudness range."""
    voice = (
        "highpass=f=200,lowpass=f=3800,tremolo=f=4:d=0.8,"
        r"volume='if(lt(mod(t\,7)\,5)\,1\,0.03)':eval=frame,volume=-8dB"
    )
    mix = f"[0:a]{voice}[v];[1:a]volume=-40dB[h];[v][h]amix=inputs=2:normalize=0"
    args = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=44100:seed=7:d={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=120:sample_rate=44100:d={seconds}",
        "-filter_complex", mix, "-ac", "1", "-c:a", "pcm_s16le", str(path),
    ]  # fmt: skip
    subprocess.run(args, check=True)


def bare_pass(source: Path, target: Path) -> float:
    """The baseline: one loudnorm pass straight to a mono MP3, as a script would do it."""
    args = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-i", str(source), "-af", "loudnorm=I=-16:TP=-1:LRA=11", "-ac", "1", str(target),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(args, check=True)
    return time.perf_counter() - started


def run(quick: bool = False) -> dict:
    """Seconds for the full ingest and for the bare pass (medians of 3), and their ratio."""
    seconds = QUICK_SECONDS if quick else SECONDS
    started = time.perf_counter()
    with function_environment(), tempfile.TemporaryDirectory(prefix="bench-media-") as folder:
        from moto import mock_aws

        from nguon import clock
        from nguon.models.media import UploadRequest
        from nguon.models.principal import Role
        from nguon.services.media import MediaService
        from nguon.services.media_ingest import Outcome
        from nguon.services.unit_catalogue import load_bundled_catalogue
        from nguon.services.units import UnitService
        from tests.factories import person
        from tests.fakes import InMemoryUnitStore
        from tests.unit import media_support as support

        work = Path(folder)
        source = work / "speech.wav"
        made_at = time.perf_counter()
        speech_like_wav(source, seconds)
        made_s = time.perf_counter() - made_at
        editor = person("xa-editor", "21550", Role.EDITOR)
        ingest_runs, bare_runs, loudness, commands = [], [], [], []
        with mock_aws():
            world = support.create_world()
            scratch = work / "scratch"
            scratch.mkdir()
            pipe = support.pipeline(world, clock.now, scratch)
            units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
            service = MediaService(units, pipe.store, pipe.objects)
            for attempt in range(RUNS):
                ticket = service.request_upload(
                    editor,
                    UploadRequest(
                        file_name=f"speech-{attempt}.wav",
                        content_type="audio/wav",
                        size=source.stat().st_size,
                        purpose="audio",
                    ),
                )
                body = json.dumps(support.put_upload(world["s3"], ticket.key, source, "audio/wav"))
                pipe.ffmpeg.calls.clear()
                began = time.perf_counter()
                outcome = pipe.consumer.handle(body)
                ingest_runs.append(time.perf_counter() - began)
                assert outcome == [Outcome.READY], outcome
                loudness.append(pipe.store.get(ticket.media_id).loudness_lufs)
                commands.append(len(pipe.ffmpeg.calls))
                bare_runs.append(bare_pass(source, work / f"bare-{attempt}.mp3"))
        bare_lufs = support.measured_lufs(work / "bare-0.mp3")
        input_lufs = support.measured_lufs(source)
    ingest_s, bare_s = statistics.median(ingest_runs), statistics.median(bare_runs)
    return {
        "audio_s": seconds,
        "wav_mb": round(seconds * 44_100 * 2 / 1_048_576, 1),
        "runs": RUNS,
        "fixture_s": round(made_s, 2),
        "input_lufs": input_lufs,
        "ingest_s": round(ingest_s, 2),
        "ingest_runs_s": [round(value, 2) for value in ingest_runs],
        "ingest_commands": commands[0],
        "ingest_output_lufs": loudness[0],
        "baseline_s": round(bare_s, 2),
        "baseline_runs_s": [round(value, 2) for value in bare_runs],
        "baseline_output_lufs": bare_lufs,
        "ratio": round(ingest_s / bare_s, 2),
        "section_s": round(time.perf_counter() - started, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two minutes of audio")
    print(json.dumps(run(quick=parser.parse_args().quick), indent=2))
