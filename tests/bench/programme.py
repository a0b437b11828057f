"""The programme resolver against the least any scheduler must do, on generated bulletins.

Run just this section (a few seconds with ``--quick``, well under a minute without)::

    .venv/bin/python -m tests.bench --only programme [--quick]

``make bench`` runs it with the other sections; either way the figures are printed and kept
under ``"programme"`` in ``.local/bench.json`` (``--only`` updates that key and keeps the rest).

Figures: the median of 7 runs (``--quick``: 3, and 1 for the province day), after one untimed
warm-up; each run timed with ``time.perf_counter``, the resolver and the baseline interleaved
so both see the same machine state. The whole section takes about 14 s on 2 cores (5 s quick).

1. ``one_commune_day_200``: ``resolve_programme`` for one commune-day with 200 bulletins that
   all reach the commune;
2. ``province_day``: all 155 communes of Bình Định for one day, from one province-wide pool
   of 800 bulletins. Each commune resolves from what reaches it (the pool filtered with
   ``reaches``, as a store query would hand it over; the filtering is not timed). Also timed:
   every commune handed the whole pool, the resolver doing the filtering itself;
3. ``growth``: one commune-day with 50, 100, 200, 400 and 800 bulletins in scope (each size a
   prefix of the same 800, so the 200 of figure 1 are the third point), with ``t(800) / t(50)``
   and the log-log slope of time against size, overall and per doubling (≈ 1 linear, ≈ 2
   quadratic; ``looks`` judges the last doubling).

The baseline is a plain pass over the same bulletins: expand each one's occurrences (and
repeats) for the day and sort the plays by start time (the resolver also looks at yesterday's
repeats running past midnight; the baseline does not). ``ratio`` is resolver / baseline.

The generator is deterministic (``SEED``). A bulletin is:

- issued at province, district or commune tier, 10 % / 30 % / 60 %. In the province pool the
  issuing district or commune is drawn uniformly; a province bulletin targets the province
  (70 %) or one to three districts, a district one its district (70 %) or two to five of its
  communes, a commune one itself. For a single commune every bulletin is drawn so it reaches
  that commune. Of the province pool of 800 a commune receives 78–100 (median 87): most of
  the province's, its district's share, and a few of its own. The one-commune figures (200,
  and up to 800) are a crowded day, a few times that;
- normal 80 %, priority 15 %, emergency 5 %; emergencies repeat 2–5 times 5–30 minutes apart,
  a third of priority items 2–3 times 30–120 minutes apart;
- 30–600 s long;
- scheduled daily (50 %, over a range around the day), weekly (30 %, on one to three weekdays,
  so some do not play that day) or once on the day (20 %). Normal items ask for one or two of
  06:00, 11:00, 17:00, 20:00 (a once item for a half hour from 06:00 to 20:30); priority and
  emergency items for any minute of the day (daily ones once or twice).

Each commune has an order: 30 % of the normal and priority bulletins reaching it, shuffled;
40 % of the normal ones among them placed at a half hour from 07:00 to 21:30. Its windows are
05:30–07:00, 11:00–11:30 and 17:00–18:30 (3.5 hours): what does not fit is reported, as
the resolver does on a crowded day.
"""

import gc
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from operator import itemgetter
from typing import Any

from nguon.models.bulletins import Bulletin
from nguon.models.programme import (
    BroadcastWindow,
    OrderEntry,
    ProgrammeOrder,
    ProgrammeSettings,
)
from nguon.models.schedules import WEEKDAYS
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services.programme_resolver import reaches, resolve_programme
from tests.factories import at, bulletin, catalogue
from tests.lambda_env import function_environment

SEED = 20261201
DAY = date(2026, 12, 1)
PROVINCE = "52"
COMMUNE = "21550"  # Phường Nhơn Bình, Quy Nhơn
POOL = 800
ONE_DAY = 200
SIZES = (50, 100, 200, 400, 800)
SETTINGS = ProgrammeSettings(
    windows=[
        BroadcastWindow(start="05:30", end="07:00"),
        BroadcastWindow(start="11:00", end="11:30"),
        BroadcastWindow(start="17:00", end="18:30"),
    ]
)
NORMAL_TIMES = ("06:00", "11:00", "17:00", "20:00")
TIERS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


# --- the generator ---------------------------------------------------------------------------


def _units(level: UnitLevel) -> list[AdminUnit]:
    return sorted(
        (unit for unit in catalogue().values() if unit.level is level), key=lambda u: u.code
    )


def _communes_of(district: str) -> list[AdminUnit]:
    return [unit for unit in _units(UnitLevel.COMMUNE) if unit.parent == district]


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def _schedule(rng: random.Random, priority: str) -> dict[str, Any]:
    kind = rng.choices(["daily", "weekly", "once"], [50, 30, 20])[0]
    if kind == "once":
        if priority == "normal":
            at = f"{rng.randint(6, 20):02d}:{rng.choice(['00', '30'])}"
        else:
            at = _clock(rng)
        return {"type": "once", "at": f"{DAY.isoformat()}T{at}:00"}
    if priority == "normal":
        times = rng.sample(NORMAL_TIMES, rng.randint(1, 2))
    else:
        times = [_clock(rng) for _ in range(rng.randint(1, 2))]
    schedule: dict[str, Any] = {
        "type": kind,
        "times": times,
        "from": (DAY - timedelta(days=rng.randint(0, 14))).isoformat(),
        "until": (DAY + timedelta(days=rng.randint(0, 30))).isoformat(),
    }
    if kind == "weekly":
        schedule["days"] = rng.sample(WEEKDAYS, rng.randint(1, 3))
    return schedule


def _bulletin(rng: random.Random, number: int, issuer: AdminUnit, targets: list[str]) -> Bulletin:
    priority = rng.choices(["normal", "priority", "emergency"], [80, 15, 5])[0]
    fields: dict[str, Any] = {}
    if priority == "emergency":
        fields["repeat"] = {"count": rng.randint(2, 5), "interval_min": rng.randint(5, 30)}
    elif priority == "priority" and rng.random() < 1 / 3:
        fields["repeat"] = {"count": rng.randint(2, 3), "interval_min": rng.randint(30, 120)}
    return bulletin(
        id=f"g{number:04d}",
        # Set here, not by the factory's counter, so a pool does not depend on what came before.
        title=f"Bản tin {number}",
        approved_at=at(f"{number // 60 % 24:02d}:{number % 60:02d}", "2026-11-21"),
        priority=priority,
        issuer=issuer.code,
        targets=targets,
        duration_s=rng.randint(30, 600),
        schedule=_schedule(rng, priority),
        **fields,
    )


def province_pool(size: int = POOL, seed: int = SEED) -> list[Bulletin]:
    """``size`` bulletins issued across the province, each reaching part of it."""
    rng = random.Random(seed)
    province = catalogue()[PROVINCE]
    districts, communes = _units(UnitLevel.DISTRICT), _units(UnitLevel.COMMUNE)
    pool = []
    for number in range(size):
        tier = rng.choices(TIERS, [10, 30, 60])[0]
        if tier is UnitLevel.PROVINCE:
            issuer = province
            if rng.random() < 0.7:
                targets = [PROVINCE]
            else:
                targets = [d.code for d in rng.sample(districts, rng.randint(1, 3))]
        elif tier is UnitLevel.DISTRICT:
            issuer = rng.choice(districts)
            own = _communes_of(issuer.code)
            if rng.random() < 0.7 or len(own) < 2:
                targets = [issuer.code]
            else:
                picked = rng.sample(own, rng.randint(2, min(5, len(own))))
                targets = [c.code for c in picked]
        else:
            issuer = rng.choice(communes)
            targets = [issuer.code]
        pool.append(_bulletin(rng, number, issuer, targets))
    return pool


def commune_pool(size: int = POOL, commune: str = COMMUNE, seed: int = SEED) -> list[Bulletin]:
    """``size`` bulletins that all reach ``commune``, with the province pool's mix."""
    rng = random.Random(seed)
    here = catalogue()[commune]
    district = catalogue()[here.parent or PROVINCE]
    neighbours = [c for c in _communes_of(district.code) if c.code != commune]
    pool = []
    for number in range(size):
        tier = rng.choices(TIERS, [10, 30, 60])[0]
        if tier is UnitLevel.PROVINCE:
            issuer = catalogue()[PROVINCE]
            targets = [PROVINCE] if rng.random() < 0.7 else [district.code]
        elif tier is UnitLevel.DISTRICT:
            issuer = district
            if rng.random() < 0.7 or not neighbours:
                targets = [district.code]
            else:
                others = rng.sample(neighbours, rng.randint(1, min(4, len(neighbours))))
                targets = [commune, *(c.code for c in others)]
        else:
            issuer, targets = here, [commune]
        pool.append(_bulletin(rng, number, issuer, targets))
    return pool


def commune_order(bulletins: Sequence[Bulletin], commune: str, seed: int = SEED) -> ProgrammeOrder:
    """The commune's order for the day: some items ranked, some normal ones placed."""
    rng = random.Random(f"{seed}-{commune}")
    entries = []
    for item in bulletins:
        if item.priority == "emergency" or rng.random() >= 0.3:
            continue
        if item.priority == "normal" and rng.random() < 0.4:
            start = f"{rng.randint(7, 21):02d}:{rng.choice(['00', '30'])}"
            entries.append(OrderEntry(bulletin_id=item.id, start=start))
        else:
            entries.append(OrderEntry(bulletin_id=item.id))
    rng.shuffle(entries)
    return ProgrammeOrder(items=entries[:500])


def in_scope(pool: Sequence[Bulletin], commune: str) -> list[Bulletin]:
    unit = catalogue()[commune]
    return [item for item in pool if reaches(item, unit)]


# --- the baseline ----------------------------------------------------------------------------


def baseline(day: date, bulletins: Sequence[Bulletin]) -> list[tuple[datetime, int, str]]:
    """What any scheduler must at least do: the day's plays, sorted by start time."""
    plays = []
    for item in bulletins:
        for first in item.schedule.occurrences_on(day):
            starts = item.repeat.starts_from(first) if item.repeat else [first]
            length = item.duration_on_air()
            plays.extend((start, length, item.id) for start in starts)
    plays.sort(key=itemgetter(0))
    return plays


# --- measuring -------------------------------------------------------------------------------


def _timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _compare(
    resolver: Callable[[], object], plain: Callable[[], object], runs: int
) -> tuple[float, float]:
    """Median seconds of each, after one untimed warm-up, interleaved run by run."""
    resolver(), plain()
    resolver_times, plain_times = [], []
    for _ in range(runs):
        resolver_times.append(_timed(resolver))
        plain_times.append(_timed(plain))
    return statistics.median(resolver_times), statistics.median(plain_times)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _one_commune(bulletins: list[Bulletin], runs: int) -> dict:
    unit = catalogue()[COMMUNE]
    order = commune_order(bulletins, COMMUNE)
    programme = resolve_programme(unit, DAY, bulletins, settings=SETTINGS, order=order)
    resolver, plain = _compare(
        lambda: resolve_programme(unit, DAY, bulletins, settings=SETTINGS, order=order),
        lambda: baseline(DAY, bulletins),
        runs,
    )
    return {
        "bulletins": len(bulletins),
        "plays_asked": len(baseline(DAY, bulletins)),
        "items": len(programme.items),
        "not_placed": len(programme.not_placed),
        "resolver_ms": _ms(resolver),
        "baseline_ms": _ms(plain),
        "ratio": round(resolver / plain, 1),
    }


def _province_day(runs: int) -> dict:
    pool = province_pool()
    communes = [unit.code for unit in _units(UnitLevel.COMMUNE)]
    units = {code: catalogue()[code] for code in communes}
    scoped = {code: in_scope(pool, code) for code in communes}
    orders = {code: commune_order(scoped[code], code) for code in communes}

    def resolve_each(whole_pool: bool = False) -> None:
        for code in communes:
            resolve_programme(
                units[code],
                DAY,
                pool if whole_pool else scoped[code],
                settings=SETTINGS,
                order=orders[code],
            )

    def baseline_each() -> None:
        for code in communes:
            baseline(DAY, scoped[code])

    resolver, plain = _compare(resolve_each, baseline_each, runs)
    whole = statistics.median(_timed(lambda: resolve_each(whole_pool=True)) for _ in range(runs))
    sizes = sorted(len(bulletins) for bulletins in scoped.values())
    return {
        "pool": len(pool),
        "communes": len(communes),
        "bulletins_per_commune": {
            "min": sizes[0],
            "median": statistics.median(sizes),
            "max": sizes[-1],
        },
        "resolver_total_ms": _ms(resolver),
        "resolver_per_commune_ms": _ms(resolver / len(communes)),
        "baseline_total_ms": _ms(plain),
        "ratio": round(resolver / plain, 1),
        "resolver_total_whole_pool_each_ms": _ms(whole),
    }


def _slope(small: dict, large: dict) -> float:
    """The log-log slope of the resolver's time between two sizes."""
    ratio = large["resolver_ms"] / small["resolver_ms"]
    return round(math.log(ratio) / math.log(large["bulletins"] / small["bulletins"]), 2)


def _growth(runs: int) -> dict:
    pool = commune_pool(max(SIZES))
    series = {str(size): _one_commune(pool[:size], runs) for size in SIZES}
    points = list(series.values())
    first, last = points[0], points[-1]
    steps = {
        f"{small['bulletins']}->{large['bulletins']}": _slope(small, large)
        for small, large in pairwise(points)
    }
    # Judged on the last doubling: what the resolver does as the day gets crowded.
    final = list(steps.values())[-1]
    return {
        "series": series,
        "resolver_growth_800_over_50": round(last["resolver_ms"] / first["resolver_ms"], 1),
        "baseline_growth_800_over_50": round(last["baseline_ms"] / first["baseline_ms"], 1),
        "loglog_slope_50_to_800": _slope(first, last),
        "loglog_slope_per_doubling": steps,
        "looks": "linear" if final < 1.3 else "quadratic" if final > 1.7 else "superlinear",
    }


def run(quick: bool = False) -> dict:
    """The resolver's figures; ``quick`` takes fewer runs."""
    runs = 3 if quick else 7
    started = time.perf_counter()
    with function_environment():
        results = {
            "runs": runs,
            "seed": SEED,
            "day": DAY.isoformat(),
            "one_commune_day_200": _one_commune(commune_pool(ONE_DAY), runs),
            "province_day": _province_day(1 if quick else runs),
            "growth": _growth(runs),
        }
    results["section_s"] = round(time.perf_counter() - started, 1)
    return results
