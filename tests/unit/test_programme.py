"""The programme resolver, rule by rule (Circular 39/2020: normal, priority, emergency)."""

import random
from datetime import date, timedelta
from itertools import pairwise

import pytest

from nguon.models.bulletins import Status
from nguon.models.programme import (
    BroadcastWindow,
    OrderEntry,
    ProgrammeOrder,
    ProgrammeSettings,
)
from nguon.services.programme_resolver import resolve_programme
from tests.factories import DAY, at, bulletin, unit

NHON_BINH = unit("21550")  # a ward of Quy Nhơn (540)
PHU_PHONG = unit("21808")  # a town of Tây Sơn (547)


def resolve(*bulletins, where=NHON_BINH, order=None, settings=None, day=DAY):
    if order is not None and not isinstance(order, ProgrammeOrder):
        order = ProgrammeOrder(
            items=[
                OrderEntry(bulletin_id=entry[0], start=entry[1])
                if isinstance(entry, tuple)
                else OrderEntry(bulletin_id=entry)
                for entry in order
            ]
        )
    return resolve_programme(
        where, date.fromisoformat(day), bulletins, order=order, settings=settings
    )


def timeline(programme):
    return [
        (item.bulletin_id, item.start.strftime("%H:%M:%S"), item.end.strftime("%H:%M:%S"))
        for item in programme.items
    ]


# --- normal: the commune decides -------------------------------------------------------------


def test_normal_item_without_placement_plays_in_the_first_default_window():
    news = bulletin(id="news", times=["06:00"])

    programme = resolve(news)

    [item] = programme.items
    assert (item.start, item.end) == (at("06:00"), at("06:05"))
    assert item.placement == "default_window"
    assert item.layer == "commune"
    assert programme.not_placed == []


def test_normal_items_fill_a_window_back_to_back_in_the_communes_order():
    first, second = bulletin(id="first"), bulletin(id="second")

    programme = resolve(first, second, order=["second", "first"])

    assert timeline(programme) == [
        ("second", "06:00:00", "06:05:00"),
        ("first", "06:05:00", "06:10:00"),
    ]


def test_without_an_order_province_items_come_before_district_before_commune():
    own = bulletin(id="own", issuer="21550")
    district = bulletin(id="district", issuer="540", targets=["540"])
    province = bulletin(id="province", issuer="52", targets=["52"])

    programme = resolve(own, district, province)

    assert [item.bulletin_id for item in programme.items] == ["province", "district", "own"]


def test_an_item_that_does_not_fit_moves_to_the_next_window():
    items = [bulletin(id=f"n{i}", duration_s=600) for i in range(4)]

    programme = resolve(*items)

    assert timeline(programme) == [
        ("n0", "06:00:00", "06:10:00"),
        ("n1", "06:10:00", "06:20:00"),
        ("n2", "06:20:00", "06:30:00"),
        ("n3", "17:00:00", "17:10:00"),
    ]


def test_what_fits_no_window_is_reported_not_dropped():
    items = [bulletin(id=f"n{i}", duration_s=900) for i in range(5)]

    programme = resolve(*items)

    assert len(programme.items) == 4
    [missing] = programme.not_placed
    assert missing.bulletin_id == "n4"
    assert missing.reason == "no_room_in_windows"


def test_an_evening_play_goes_to_the_evening_window():
    evening = bulletin(id="evening", times=["17:00"])

    [item] = resolve(evening).items

    assert item.start == at("17:00")


def test_a_play_asked_after_the_last_window_takes_the_closest_earlier_one():
    late = bulletin(id="late", times=["20:00"])

    [item] = resolve(late).items

    assert item.start == at("17:00")


def test_two_plays_a_day_take_both_windows():
    twice = bulletin(id="twice", times=["06:00", "17:00"])

    assert [item.start for item in resolve(twice).items] == [at("06:00"), at("17:00")]


def test_the_commune_places_a_normal_item_at_its_own_time():
    news = bulletin(id="news")

    [item] = resolve(news, order=[("news", "09:15")]).items

    assert item.start == at("09:15")
    assert item.placement == "unit_placed"
    assert item.layer == "commune"


def test_a_placed_item_plays_once_per_placement_and_the_rest_go_to_windows():
    twice = bulletin(id="twice", times=["06:00", "17:00"])

    programme = resolve(twice, order=[("twice", "11:00")])

    assert [(i.start, i.placement) for i in programme.items] == [
        (at("11:00"), "unit_placed"),
        (at("17:00"), "default_window"),
    ]


def test_placements_that_overlap_play_one_after_the_other():
    one, two = bulletin(id="one"), bulletin(id="two")

    programme = resolve(one, two, order=[("one", "09:00"), ("two", "09:02")])

    assert timeline(programme) == [("one", "09:00:00", "09:05:00"), ("two", "09:05:00", "09:10:00")]
    assert programme.items[1].delayed_s == 180


def test_windows_are_configurable_per_unit():
    news = bulletin(id="news")
    settings = ProgrammeSettings(windows=[BroadcastWindow(start="11:00", end="11:15")])

    programme = resolve(news, settings=settings)

    assert programme.items[0].start == at("11:00")
    assert programme.windows == settings.windows


def test_a_unit_without_windows_reports_its_unplaced_normal_items():
    programme = resolve(bulletin(id="news"), settings=ProgrammeSettings(windows=[]))

    assert programme.items == []
    assert programme.not_placed[0].reason == "no_room_in_windows"


# --- priority: the issuer's time, ahead of normal ----------------------------------------------


def test_priority_plays_at_the_issuers_time():
    notice = bulletin(
        id="notice", priority="priority", at_time="09:30", issuer="540", targets=["540"]
    )

    [item] = resolve(notice).items

    assert item.start == at("09:30")
    assert item.placement == "issuer_time"
    assert item.layer == "district"


def test_priority_inside_a_window_goes_first_and_normal_items_play_around_it():
    notice = bulletin(id="notice", priority="priority", at_time="06:07", duration_s=180)
    normal = [bulletin(id=f"n{i}", duration_s=300) for i in range(3)]

    programme = resolve(notice, *normal)

    assert timeline(programme) == [
        ("n0", "06:00:00", "06:05:00"),
        ("notice", "06:07:00", "06:10:00"),
        ("n1", "06:10:00", "06:15:00"),
        ("n2", "06:15:00", "06:20:00"),
    ]


def test_a_placed_normal_item_gives_way_to_a_priority_item():
    notice = bulletin(id="notice", priority="priority", at_time="09:00", duration_s=120)
    news = bulletin(id="news")

    programme = resolve(notice, news, order=[("news", "09:01")])

    assert timeline(programme) == [
        ("notice", "09:00:00", "09:02:00"),
        ("news", "09:02:00", "09:07:00"),
    ]
    assert programme.items[1].delayed_s == 60


def test_clashing_priority_items_follow_the_communes_order():
    province = bulletin(
        id="province", priority="priority", at_time="08:00", issuer="52", targets=["52"]
    )
    own = bulletin(id="own", priority="priority", at_time="08:00")

    assert [i.bulletin_id for i in resolve(province, own, order=["own", "province"]).items] == [
        "own",
        "province",
    ]


def test_clashing_priority_items_without_an_order_put_the_higher_tier_first():
    own = bulletin(id="own", priority="priority", at_time="08:00")
    province = bulletin(
        id="province", priority="priority", at_time="08:00", issuer="52", targets=["52"]
    )

    programme = resolve(own, province)

    assert timeline(programme) == [
        ("province", "08:00:00", "08:05:00"),
        ("own", "08:05:00", "08:10:00"),
    ]


def test_a_priority_item_due_while_another_plays_waits_for_it():
    first = bulletin(id="first", priority="priority", at_time="08:00")
    second = bulletin(id="second", priority="priority", at_time="08:02")

    programme = resolve(first, second, order=["second", "first"])

    # The order settles who goes first among items ready together, never to play before time.
    assert timeline(programme) == [
        ("first", "08:00:00", "08:05:00"),
        ("second", "08:05:00", "08:10:00"),
    ]
    assert programme.items[1].delayed_s == 180


def test_priority_repeats_play_apart_as_asked():
    notice = bulletin(
        id="notice", priority="priority", at_time="10:00", repeat={"count": 2, "interval_min": 30}
    )

    assert [(i.start, i.play) for i in resolve(notice).items] == [
        (at("10:00"), 1),
        (at("10:30"), 2),
    ]


def test_a_priority_item_pushed_past_midnight_is_reported():
    late = bulletin(id="late", priority="priority", at_time="23:58", duration_s=300)
    later = bulletin(id="later", priority="priority", at_time="23:59", duration_s=60)

    programme = resolve(late, later)

    assert [i.bulletin_id for i in programme.items] == ["late"]
    assert [(n.bulletin_id, n.reason) for n in programme.not_placed] == [
        ("later", "no_time_left_in_day")
    ]


# --- emergency: pre-empts everything ---------------------------------------------------------


def storm(**fields):
    return bulletin(id="storm", priority="emergency", issuer="52", targets=["52"], **fields)


def test_emergency_interrupts_a_priority_item_which_restarts_afterwards():
    notice = bulletin(id="notice", priority="priority", at_time="08:00", duration_s=600)
    alarm = storm(at_time="08:05", duration_s=120)

    programme = resolve(notice, alarm)

    assert timeline(programme) == [
        ("notice", "08:00:00", "08:05:00"),
        ("storm", "08:05:00", "08:07:00"),
        ("notice", "08:07:00", "08:17:00"),
    ]
    cut, alarm_item, again = programme.items
    assert cut.interrupted
    assert not again.interrupted
    assert again.placement == "restarted"
    assert (alarm_item.layer, alarm_item.placement) == ("province", "issuer_time")


def test_an_interrupted_item_can_resume_where_it_stopped():
    notice = bulletin(id="notice", priority="priority", at_time="08:00", duration_s=600)
    alarm = storm(at_time="08:05", duration_s=120)

    programme = resolve(notice, alarm, settings=ProgrammeSettings(after_interruption="resume"))

    assert timeline(programme)[2] == ("notice", "08:07:00", "08:12:00")
    assert programme.items[2].placement == "resumed"


def test_emergency_interrupts_a_normal_item_the_commune_placed():
    news = bulletin(id="news", duration_s=600)
    alarm = storm(at_time="09:03", duration_s=60)

    programme = resolve(news, alarm, order=[("news", "09:00")])

    assert timeline(programme) == [
        ("news", "09:00:00", "09:03:00"),
        ("storm", "09:03:00", "09:04:00"),
        ("news", "09:04:00", "09:14:00"),
    ]


def test_window_items_are_not_planned_across_a_known_emergency():
    alarm = storm(at_time="06:04", duration_s=60)
    normal = [bulletin(id=f"n{i}", duration_s=180) for i in range(3)]

    programme = resolve(alarm, *normal)

    assert timeline(programme) == [
        ("n0", "06:00:00", "06:03:00"),
        ("storm", "06:04:00", "06:05:00"),
        ("n1", "06:05:00", "06:08:00"),
        ("n2", "06:08:00", "06:11:00"),
    ]
    assert not any(item.interrupted for item in programme.items)


def test_an_emergency_overrides_a_priority_item_at_the_same_time():
    notice = bulletin(id="notice", priority="priority", at_time="08:00", duration_s=60)
    alarm = storm(at_time="08:00", duration_s=120)

    assert timeline(resolve(notice, alarm)) == [
        ("storm", "08:00:00", "08:02:00"),
        ("notice", "08:02:00", "08:03:00"),
    ]


def test_emergency_repeats_until_expiry_and_the_rest_is_reported():
    alarm = storm(
        at_time="08:00",
        duration_s=60,
        repeat={"count": 3, "interval_min": 10},
        cap={"event": "Bão số 9", "expires": f"{DAY}T08:15:00+07:00"},
    )

    programme = resolve(alarm)

    assert [item.start for item in programme.items] == [at("08:00"), at("08:10")]
    [expired] = programme.not_placed
    assert (expired.requested_start, expired.reason) == (at("08:20"), "outside_validity")


def test_repeats_of_a_late_emergency_carry_over_midnight():
    alarm = storm(
        schedule={"type": "once", "at": "2026-11-30T23:50:00"},
        duration_s=60,
        repeat={"count": 3, "interval_min": 10},
        valid_until=f"{DAY}T12:00:00",
    )

    assert [item.start for item in resolve(alarm).items] == [at("00:00"), at("00:10")]


def test_two_emergencies_never_overlap():
    first = storm(at_time="08:00", duration_s=300)
    second = bulletin(
        id="flood", priority="emergency", at_time="08:02", issuer="540", targets=["540"]
    )

    programme = resolve(first, second)

    assert timeline(programme) == [
        ("storm", "08:00:00", "08:05:00"),
        ("flood", "08:05:00", "08:10:00"),
    ]
    assert not any(item.interrupted for item in programme.items)


def test_an_item_cut_by_two_emergencies_restarts_after_the_last():
    notice = bulletin(id="notice", priority="priority", at_time="08:00", duration_s=300)
    first = storm(at_time="08:01", duration_s=60)
    second = bulletin(
        id="flood",
        priority="emergency",
        at_time="08:03",
        issuer="540",
        targets=["540"],
        duration_s=60,
    )

    programme = resolve(notice, first, second)

    assert timeline(programme) == [
        ("notice", "08:00:00", "08:01:00"),
        ("storm", "08:01:00", "08:02:00"),
        ("notice", "08:02:00", "08:03:00"),
        ("flood", "08:03:00", "08:04:00"),
        ("notice", "08:04:00", "08:09:00"),
    ]


# --- which bulletins, which days ---------------------------------------------------------


def test_a_commune_bulletin_plays_only_in_that_commune():
    own = bulletin(id="own", issuer="21550")
    district = bulletin(id="district", issuer="540", targets=["540"])
    province = bulletin(id="province", issuer="52", targets=["52"])

    here = {item.bulletin_id for item in resolve(own, district, province).items}
    elsewhere = {i.bulletin_id for i in resolve(own, district, province, where=PHU_PHONG).items}

    assert here == {"own", "district", "province"}
    assert elsewhere == {"province"}


def test_a_district_programme_has_what_targets_the_district_and_above_only():
    own = bulletin(id="own", issuer="21550")
    district = bulletin(id="district", issuer="540", targets=["540"])

    programme = resolve(own, district, where=unit("540"))

    assert [(i.bulletin_id, i.layer) for i in programme.items] == [("district", "district")]


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.PENDING, Status.REJECTED, Status.WITHDRAWN]
)
def test_only_approved_bulletins_play(status):
    assert resolve(bulletin(status=status)).items == []


def test_a_bulletin_for_boards_only_is_not_in_the_speaker_programme():
    assert resolve(bulletin(channels=["board"])).items == []


RANGE = {"from": "2026-11-01", "until": "2026-12-31"}


@pytest.mark.parametrize(
    ("schedule", "plays_on_dec_1"),
    [
        ({"type": "once", "at": "2026-12-02T06:00:00"}, False),
        ({"type": "daily", "times": ["06:00"], "from": "2026-12-02", "until": "2026-12-09"}, False),
        ({"type": "daily", "times": ["06:00"], "from": "2026-11-01", "until": "2026-12-01"}, True),
        ({"type": "weekly", "days": ["tue"], "times": ["06:00"], **RANGE}, True),
        ({"type": "weekly", "days": ["mon", "wed"], "times": ["06:00"], **RANGE}, False),
        ({"type": "monthly", "days_of_month": [1, 15], "times": ["06:00"], **RANGE}, True),
        ({"type": "monthly", "days_of_month": [2], "times": ["06:00"], **RANGE}, False),
    ],
)
def test_schedules_decide_the_days(schedule, plays_on_dec_1):
    programme = resolve(bulletin(schedule=schedule))

    assert bool(programme.items) is plays_on_dec_1


def test_a_monthly_day_the_month_lacks_is_skipped():
    monthly = bulletin(
        schedule={
            "type": "monthly",
            "days_of_month": [31],
            "times": ["06:00"],
            "from": "2026-11-01",
            "until": "2027-01-31",
        }
    )

    assert resolve(monthly, day="2026-11-30").items == []
    assert resolve(monthly, day="2026-12-31").items != []


def test_a_normal_item_valid_only_from_noon_takes_the_evening_window():
    news = bulletin(id="news", valid_from=f"{DAY}T12:00:00")

    [item] = resolve(news).items

    assert item.start == at("17:00")


def test_a_normal_item_whose_validity_misses_every_window_is_reported():
    news = bulletin(id="news", valid_from=f"{DAY}T08:00:00", valid_until=f"{DAY}T09:00:00")

    programme = resolve(news)

    assert programme.items == []
    assert programme.not_placed[0].reason == "outside_validity"


def test_a_placement_outside_validity_is_reported():
    news = bulletin(id="news", valid_until=f"{DAY}T09:00:00")

    programme = resolve(news, order=[("news", "10:00")])

    assert programme.not_placed[0].reason == "outside_validity"


def test_times_are_local_to_ho_chi_minh_city():
    notice = bulletin(
        id="notice", priority="priority", schedule={"type": "once", "at": "2026-12-01T01:00:00Z"}
    )

    [item] = resolve(notice).items

    assert item.start.isoformat() == "2026-12-01T08:00:00+07:00"
    assert resolve(notice).timezone == "Asia/Ho_Chi_Minh"


# --- invariants over random days ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(25))
def test_no_two_items_overlap_and_every_play_is_placed_or_reported(seed):
    rng = random.Random(seed)
    bulletins = []
    for number in range(rng.randint(5, 60)):
        priority = rng.choices(["normal", "priority", "emergency"], [6, 3, 1])[0]
        issuer = rng.choice(["52", "540", "21550"])
        fields = {
            "id": f"r{number}",
            "priority": priority,
            "issuer": issuer,
            "targets": [issuer],
            "duration_s": rng.randint(20, 900),
        }
        if priority == "normal":
            fields["times"] = sorted(
                rng.sample(["06:00", "11:00", "17:00", "20:00"], rng.randint(1, 2))
            )
        else:
            fields["at_time"] = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
            if rng.random() < 0.3:
                fields["repeat"] = {"count": rng.randint(2, 4), "interval_min": rng.randint(1, 20)}
        bulletins.append(bulletin(**fields))
    placements = [
        (b.id, f"{rng.randint(7, 20):02d}:{rng.choice(['00', '30'])}")
        for b in bulletins
        if b.priority == "normal" and rng.random() < 0.3
    ]
    after = rng.choice(["restart", "resume"])

    programme = resolve(
        *bulletins, order=placements, settings=ProgrammeSettings(after_interruption=after)
    )

    items = sorted(programme.items, key=lambda item: item.start)
    for before, following in pairwise(items):
        assert before.end <= following.start, (before, following)
    asked = {}
    for b in bulletins:
        if b.priority == "normal":
            placed = sum(1 for bid, _ in placements if bid == b.id)
            asked[b.id] = max(placed, len(b.schedule.times))
        else:
            asked[b.id] = len(b.repeat.starts_from(b.schedule.at)) if b.repeat else 1
    started = {}
    for item in items:
        if item.placement not in ("resumed", "restarted"):
            started[item.bulletin_id] = started.get(item.bulletin_id, 0) + 1
    for reported in programme.not_placed:
        started[reported.bulletin_id] = started.get(reported.bulletin_id, 0) + 1
    # Repeats after midnight belong to the next day: allow fewer only for those.
    for bid, number in asked.items():
        late = [b for b in bulletins if b.id == bid and b.repeat and b.schedule.at.hour == 23]
        assert started.get(bid, 0) == number or late, (bid, number, started.get(bid))
    for item in items:
        if item.priority == "emergency":
            assert item.placement == "issuer_time"
        assert item.end - item.start <= timedelta(seconds=900)
