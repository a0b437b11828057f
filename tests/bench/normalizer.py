"""The Vietnamese TTS normaliser: accuracy on the hand-written bulletin set, and its speed.

Run just this section::

    .venv/bin/python -m tests.bench.normalizer [--quick]

It prints a JSON object:

- ``sentences``, ``exact``, ``accuracy``: sentences of ``tests/unit/speech/normalize_cases.tsv``
  whose reading equals the hand-written one exactly, and their share;
- ``per_category``: the same for each category of the set (date, time, money, phone, …);
- ``ms_per_1000_words``: the time ``normalize`` takes for a bulletin of 1,000 words. The
  bulletin is the set's sentences joined in order, repeated until it has 1,000 words and cut
  there (number-dense on purpose: most real bulletins have fewer numbers, so this is the
  slow side). Median of 21 runs (``--quick``: 5) after one untimed warm-up that also loads the
  lexicon, each timed with ``time.perf_counter``;
- ``ms_per_1000_words_with_map``: the same for ``normalize_with_map`` (the span map too);
- ``words``: the bulletin's length in words (whitespace-separated, before normalisation).

The brief's bound is "well under 50 ms" for 1,000 words.
"""

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from nguon.speech.normalize import normalize, normalize_with_map

CASES = Path(__file__).resolve().parents[1] / "unit" / "speech" / "normalize_cases.tsv"
WORDS = 1000


def load_cases(path: Path = CASES) -> list[tuple[str, str, str]]:
    """(category, input, expected reading) for each line of the set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, source, expected = line.split("\t")
            rows.append((category, source, expected))
    return rows


def bulletin(cases: list[tuple[str, str, str]], words: int = WORDS) -> str:
    """The set's inputs, joined and repeated, cut at exactly ``words`` words."""
    pool: list[str] = []
    while len(pool) < words:
        for _, source, _ in cases:
            pool += source.split()
    return " ".join(pool[:words])


def run(quick: bool = False) -> dict:
    """Accuracy on the set and milliseconds per 1,000 words (see the module docstring)."""
    cases = load_cases()
    totals: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    for category, source, expected in cases:
        totals[category] += 1
        exact[category] += normalize(source) == expected
    text = bulletin(cases)
    scale = 1000 * WORDS / len(text.split())
    timings: dict[str, list[float]] = {"plain": [], "map": []}
    normalize_with_map(text)  # warm-up: imports, the lexicon file, regex caches
    for _ in range(5 if quick else 21):  # interleaved, so both see the same machine state
        for key, function in (("plain", normalize), ("map", normalize_with_map)):
            start = time.perf_counter()
            function(text)
            timings[key].append(time.perf_counter() - start)
    n, k = len(cases), sum(exact.values())
    return {
        "sentences": n,
        "exact": k,
        "accuracy": round(k / n, 4),
        "per_category": {
            category: {
                "sentences": totals[category],
                "exact": exact[category],
                "accuracy": round(exact[category] / totals[category], 4),
            }
            for category in sorted(totals)
        },
        "ms_per_1000_words": round(statistics.median(timings["plain"]) * scale, 2),
        "ms_per_1000_words_with_map": round(statistics.median(timings["map"]) * scale, 2),
        "words": len(text.split()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 timed runs instead of 21")
    args = parser.parse_args()
    print(json.dumps(run(quick=args.quick), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
