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
- ``words``: the bulletin's length in words (whitespace-separated, before normalisation);
- ``adversarial_us_per_char``: for each shape of hostile text in ``ADVERSARIAL`` (runs of
  punctuation, digits, separators, mixed scripts, a seeded random mix), the CPU time
  ``normalize`` takes per character at 1 KB, 10 KB and 100 KB (best of 3, ``--quick``: 1;
  ``time.process_time``, so other processes on the machine count less), and ``ratio``, the
  100 KB figure over the 1 KB one. Linear matching keeps the ratio near 1; quadratic
  backtracking made it grow with the size (100 KB of hyphens did not finish in a minute). A
  size that takes longer than ``--budget`` seconds (default 60) is reported as ``null``, as is
  one that raises (with ``error``).

The brief's bound is "well under 50 ms" for 1,000 words.

Only the adversarial table: ``python -m tests.bench.normalizer --adversarial``.
"""

import argparse
import json
import random
import signal
import statistics
import time
from collections import Counter
from pathlib import Path

from nguon.speech.normalize import normalize, normalize_with_map

CASES = Path(__file__).resolve().parents[1] / "unit" / "speech" / "normalize_cases.tsv"
WORDS = 1000
SIZES = (1_000, 10_000, 100_000)

# Hostile text, each shape a unit repeated to any length: the runs that made the normaliser's
# patterns backtrack quadratically, and their neighbours (the unit test of linearity uses
# these too, tests/unit/speech/test_normalize_linear.py).
ADVERSARIAL = {
    "hyphens": "-",
    "letter-dot": "a.",
    "digit-slash": "1/",
    "digit-hyphen": "1-",
    "letter-hyphen": "a-",
    "capital-hyphen": "A-",
    "date-like": "12/3/",
    "clock-like": "1h",
    "digits": "1",
    "dotted-digits": "1.",
    "comma-digits": "1,",
    "at-signs": "a@",
    "domain-like": "x.vn/",
    "long-labels": "a-" * 31 + "a.",  # domain labels of 63 characters, the longest allowed
    "abbreviation-dot": "TP.",
    "ellipses": "a...",
    "code-like": "1/QĐ-",
    "separators": "- / . , ; : ",
    "mixed-scripts": "Đà-1.a/Ωλ٣😀中",
    "newlines": "a\n-\n",
}
RANDOM_SHAPE = "seeded-random"
_RANDOM_ALPHABET = "-./,:;@%&+~()[]'\"… \n0123456789aAĐđàếƯ1hkmTPQ٣Ω😀"


def adversarial_text(shape: str, size: int) -> str:
    """``size`` characters of ``shape`` (a key of ``ADVERSARIAL``, or ``RANDOM_SHAPE``: a
    seeded random mix of punctuation, digits, letters and other scripts, the same prefix at
    every size)."""
    if shape == RANDOM_SHAPE:
        chooser = random.Random(11)
        return "".join(chooser.choice(_RANDOM_ALPHABET) for _ in range(size))
    unit = ADVERSARIAL[shape]
    return (unit * (size // len(unit) + 1))[:size]


def cpu_seconds_per_char(text: str, repeats: int = 3) -> float:
    """The best CPU time ``normalize`` takes on ``text``, per character."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        normalize(text)
        best = min(best, time.process_time() - start)
    return best / len(text)


class _OverBudget(Exception):
    pass


def _over_budget(*_: object) -> None:
    raise _OverBudget


def adversarial(quick: bool = False, budget: float = 60.0) -> dict:
    """Microseconds of CPU per character for each hostile shape at each of ``SIZES``."""
    normalize("khởi động")  # the lexicon and the patterns, loaded before timing
    table: dict[str, dict] = {}
    previous = signal.signal(signal.SIGALRM, _over_budget)
    try:
        for shape in [*ADVERSARIAL, RANDOM_SHAPE]:
            row: dict[str, float | None] = {}
            for size in SIZES:
                signal.setitimer(signal.ITIMER_REAL, budget)
                try:
                    per_char = cpu_seconds_per_char(
                        adversarial_text(shape, size), 1 if quick else 3
                    )
                    row[f"{size // 1000}KB"] = round(per_char * 1e6, 2)
                except _OverBudget:
                    row[f"{size // 1000}KB"] = None
                    break  # a larger size would take longer still
                except Exception as error:  # a crash is a result here too
                    row[f"{size // 1000}KB"] = None
                    row["error"] = f"{type(error).__name__} at {size // 1000} KB"
                    break
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            first, last = row.get("1KB"), row.get(f"{SIZES[-1] // 1000}KB")
            row["ratio"] = round(last / first, 2) if first and last else None
            table[shape] = row
    finally:
        signal.signal(signal.SIGALRM, previous)
    return table


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
        "adversarial_us_per_char": adversarial(quick=quick),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 timed runs instead of 21")
    parser.add_argument("--adversarial", action="store_true", help="only the hostile-text table")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds before a size counts as too slow"
    )
    args = parser.parse_args()
    if args.adversarial:
        result = adversarial(quick=args.quick, budget=args.budget)
    else:
        result = run(quick=args.quick)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
