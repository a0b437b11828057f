"""The programme resolver: one unit, one day, one timeline (a pure function).

Layers, in the order they claim the day (Circular 39/2020 and the ministry's guidance):

1. **Emergency** plays at its time and pre-empts whatever plays; two emergencies never overlap
   (the later one follows the earlier).
2. **Priority** plays at its issuer's time, ahead of normal items. When two clash, the one
   ready first plays first; among those ready together the commune's order decides, then the
   issuer's tier (province, district, commune), then the requested time.
3. **Normal** items play where the commune placed them (``start`` in its order), else in the
   unit's broadcast windows, in the commune's order. A window item never straddles a known
   emergency or priority item; it moves on, to the next window if need be.

An item cut by an emergency restarts (or resumes, per the unit's settings) when the emergency
ends. Nothing is dropped silently: a play that cannot be placed is listed with its reason.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from heapq import heappop, heappush

from nguon.clock import localize
from nguon.models.bulletins import Bulletin, Channel, Priority, Status
from nguon.models.programme import (
    NotPlaced,
    NotPlacedReason,
    Placement,
    Programme,
    ProgrammeItem,
    ProgrammeOrder,
    ProgrammeSettings,
)
from nguon.models.schedules import parse_clock
from nguon.models.units import AdminUnit, UnitLevel

LAYER_RANK = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
UNRANKED = 1_000_000


def reaches(bulletin: Bulletin, unit: AdminUnit) -> bool:
    """A bulletin plays in a unit targeted by it or lying under one of its targets."""
    chain = {unit.code, *unit.ancestors}
    return any(target in chain for target in bulletin.targets)


@dataclass(frozen=True, eq=False)
class _Play:
    bulletin: Bulletin
    requested: datetime
    duration: timedelta
    number: int
    rank: int
    unit_placed: bool
    """Placed by the unit at ``requested``; otherwise a fixed-time item or one for a window."""
    key: tuple = field(init=False)
    """Who goes first among plays ready together: the unit's order, then the higher tier,
    then the earlier request, then the earlier approval."""

    def __post_init__(self) -> None:
        key = (
            self.rank,
            LAYER_RANK[self.bulletin.layer],
            self.requested,
            self.bulletin.approved_at or self.bulletin.created_at,
            self.bulletin.id,
        )
        object.__setattr__(self, "key", key)  # frozen: set once, here


@dataclass
class _Timeline:
    """Disjoint busy intervals, kept sorted by start."""

    starts: list[datetime] = field(default_factory=list)
    ends: list[datetime] = field(default_factory=list)

    def add(self, start: datetime, end: datetime) -> None:
        index = bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)

    def containing(self, moment: datetime) -> datetime | None:
        """The end of the interval ``moment`` falls in, if any."""
        index = bisect_right(self.starts, moment) - 1
        if index >= 0 and self.ends[index] > moment:
            return self.ends[index]
        return None

    def next_after(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The first interval starting strictly after ``moment``."""
        index = bisect_right(self.starts, moment)
        if index < len(self.starts):
            return self.starts[index], self.ends[index]
        return None


@dataclass
class _Day:
    unit: AdminUnit
    start: datetime
    end: datetime
    settings: ProgrammeSettings
    emergencies: _Timeline = field(default_factory=_Timeline)
    others: _Timeline = field(default_factory=_Timeline)
    items: list[ProgrammeItem] = field(default_factory=list)
    not_placed: list[NotPlaced] = field(default_factory=list)

    def refuse(self, play: _Play, reason: NotPlacedReason) -> None:
        self.not_placed.append(
            NotPlaced(
                bulletin_id=play.bulletin.id,
                title=play.bulletin.title,
                priority=play.bulletin.priority,
                reason=reason,
                requested_start=play.requested,
            )
        )

    def first_free(
        self,
        moment: datetime,
        length: timedelta,
        *,
        avoid_emergencies: bool,
        until: datetime | None = None,
    ) -> datetime:
        """The earliest start from ``moment`` that lies in no busy interval and runs into no
        other item (and, if asked, into no emergency). With ``until``, the search stops as soon
        as the item could no longer end by then (the caller sees it does not fit)."""
        lines = [self.others, self.emergencies] if avoid_emergencies else [self.others]
        while True:
            if until is not None and moment + length > until:
                return moment
            moved = False
            for line in (self.others, self.emergencies):
                end = line.containing(moment)
                if end is not None:
                    moment, moved = end, True
            for line in lines:
                following = line.next_after(moment)
                if following and following[0] < moment + length:
                    moment, moved = following[1], True
            if not moved:
                return moment

    def play_from(self, play: _Play, start: datetime, layer: UnitLevel, how: Placement) -> bool:
        """Play from ``start`` (not inside any busy interval), splitting at emergencies."""
        remaining, moment, how_now, interrupted_once = play.duration, start, how, False
        while True:
            moment = self.first_free(moment, remaining, avoid_emergencies=False)
            # The rest of an interrupted item may run past midnight: it still plays.
            if moment >= self.end and not interrupted_once:
                self.refuse(play, NotPlacedReason.NO_TIME_LEFT_IN_DAY)
                return False
            cut = self.emergencies.next_after(moment)
            finish = moment + remaining
            if cut is None or cut[0] >= finish:  # not interrupted
                self._record(play, moment, finish, layer, how_now, False)
                return True
            finish = cut[0]
            self._record(play, moment, finish, layer, how_now, True)
            interrupted_once = True
            if self.settings.after_interruption == "resume":
                remaining -= finish - moment
                how_now = Placement.RESUMED
            else:
                remaining = play.duration
                how_now = Placement.RESTARTED
            moment = cut[1]

    def _record(
        self,
        play: _Play,
        start: datetime,
        end: datetime,
        layer: UnitLevel,
        how: Placement,
        interrupted: bool,
    ) -> None:
        line = self.emergencies if play.bulletin.priority is Priority.EMERGENCY else self.others
        line.add(start, end)
        delayed = start - play.requested if how is not Placement.DEFAULT_WINDOW else timedelta()
        self.items.append(
            ProgrammeItem(
                start=start,
                end=end,
                duration_s=round((end - start).total_seconds()),
                bulletin_id=play.bulletin.id,
                title=play.bulletin.title,
                priority=play.bulletin.priority,
                layer=layer,
                placement=how,
                requested_start=play.requested,
                delayed_s=max(0, round(delayed.total_seconds())),
                interrupted=interrupted,
                play=play.number,
            )
        )


def resolve_programme(
    unit: AdminUnit,
    day: date,
    bulletins: Iterable[Bulletin],
    *,
    settings: ProgrammeSettings | None = None,
    order: ProgrammeOrder | None = None,
    channel: Channel = Channel.SPEAKER,
) -> Programme:
    """The programme of ``unit`` on ``day`` from the bulletins that may concern it.

    ``bulletins`` may hold more than the unit's: only approved ones that reach the unit on
    ``channel`` count.
    """
    settings = settings or ProgrammeSettings()
    order = order or ProgrammeOrder(items=[])
    start = localize(datetime.combine(day, time()))
    today = _Day(unit=unit, start=start, end=start + timedelta(days=1), settings=settings)
    rank: dict[str, int] = {}
    placed_at: dict[str, list[datetime]] = {}
    for position, entry in enumerate(order.items):
        rank.setdefault(entry.bulletin_id, position)
        if entry.start:
            placed_at.setdefault(entry.bulletin_id, []).append(
                localize(datetime.combine(day, parse_clock(entry.start)))
            )

    emergency: list[_Play] = []
    priority: list[_Play] = []
    normal: list[_Play] = []
    for bulletin in bulletins:
        if bulletin.status is not Status.APPROVED or channel not in bulletin.channels:
            continue
        if not reaches(bulletin, unit):
            continue
        plays = _plays_of(bulletin, day, today, rank.get(bulletin.id, UNRANKED), placed_at)
        {Priority.EMERGENCY: emergency, Priority.PRIORITY: priority, Priority.NORMAL: normal}[
            bulletin.priority
        ].extend(plays)

    # An emergency due while another plays follows it (play_from skips busy intervals).
    for play in sorted(emergency, key=lambda p: (p.requested, *p.key)):
        today.play_from(play, play.requested, play.bulletin.layer, Placement.ISSUER_TIME)
    _play_in_ready_order(today, priority)
    _play_in_ready_order(today, [play for play in normal if play.unit_placed])
    windowed = [play for play in normal if not play.unit_placed]
    _fill_windows(today, sorted(windowed, key=lambda play: play.key))

    today.items.sort(key=lambda item: (item.start, item.end))
    return Programme(
        unit=unit.code,
        date=day,
        timezone=str(start.tzinfo),
        items=today.items,
        not_placed=today.not_placed,
        windows=list(settings.windows),
        order_version=order.version or 0,
    )


def _plays_of(
    bulletin: Bulletin,
    day: date,
    today: _Day,
    rank: int,
    placed_at: dict[str, list[datetime]],
) -> list[_Play]:
    """The plays a bulletin asks for on ``day``; those outside its validity are refused."""
    valid_from, valid_until = bulletin.validity()
    length = timedelta(seconds=bulletin.duration_on_air())
    placed: list[datetime] = []
    if bulletin.priority is Priority.NORMAL:
        asked = bulletin.schedule.occurrences_on(day)
        placed = placed_at.get(bulletin.id, [])
        # The commune's placements come first; the issuer's remaining plays go to windows.
        starts = placed + asked[len(placed) :]
    else:
        # Repeats of yesterday's last occurrence may fall after midnight.
        starts = []
        for first in (
            *bulletin.schedule.occurrences_on(day - timedelta(days=1)),
            *bulletin.schedule.occurrences_on(day),
        ):
            repeat = bulletin.repeat.starts_from(first) if bulletin.repeat else [first]
            starts.extend(moment for moment in repeat if today.start <= moment < today.end)
    plays: list[_Play] = []
    for number, moment in enumerate(starts, start=1):
        unit_placed = number <= len(placed)
        play = _Play(bulletin, moment, length, number, rank, unit_placed)
        # A window play's time is only the issuer's wish: the windows check validity.
        for_window = bulletin.priority is Priority.NORMAL and not unit_placed
        if for_window or valid_from <= moment < valid_until:
            plays.append(play)
        else:
            today.refuse(play, NotPlacedReason.OUTSIDE_VALIDITY)
    return plays


def _play_in_ready_order(today: _Day, plays: list[_Play]) -> None:
    """Fixed-time items: each at its time or, if busy, as soon as the one before ends; of
    those due together, the first by :attr:`_Play.key`."""
    waiting = sorted(plays, key=lambda play: play.requested)
    ready: list[tuple[tuple, int, _Play]] = []  # a heap; the int breaks ties between equals
    cursor, index = today.start, 0
    while index < len(waiting) or ready:
        # Everything already due is due by ``cursor``; otherwise wait for the next request.
        moment = cursor if ready else max(cursor, waiting[index].requested)
        while index < len(waiting) and waiting[index].requested <= moment:
            heappush(ready, (waiting[index].key, index, waiting[index]))
            index += 1
        chosen = heappop(ready)[2]
        if chosen.bulletin.priority is Priority.NORMAL:
            layer, how = today.unit.level, Placement.UNIT_PLACED
        else:
            layer, how = chosen.bulletin.layer, Placement.ISSUER_TIME
        placed = today.play_from(chosen, moment, layer, how)
        # Refused: the day is full from ``moment`` on, so nothing plays before it either.
        cursor = max(cursor, today.items[-1].end if placed else moment)


def _fill_windows(today: _Day, plays: list[_Play]) -> None:
    """Normal items in the unit's windows, in order, each in the first window (from the one
    its issuer asked for) where it fits whole, after the items before it."""
    windows = [
        (
            localize(datetime.combine(today.start.date(), parse_clock(window.start))),
            localize(datetime.combine(today.start.date(), parse_clock(window.end))),
        )
        for window in today.settings.windows
    ]
    cursors = [opening for opening, _ in windows]
    for play in plays:
        valid_from, valid_until = play.bulletin.validity()
        if windows and not any(
            opening < valid_until and closing > valid_from for opening, closing in windows
        ):
            today.refuse(play, NotPlacedReason.OUTSIDE_VALIDITY)
            continue
        later = [i for i, (_, closing) in enumerate(windows) if closing > play.requested]
        earlier = [i for i in reversed(range(len(windows))) if i not in later]
        for index in later + earlier:
            closing = min(windows[index][1], valid_until)
            moment = max(cursors[index], valid_from)
            if moment + play.duration > closing:
                continue  # the window is full (for an item this long)
            moment = today.first_free(moment, play.duration, avoid_emergencies=True, until=closing)
            if moment + play.duration <= closing:
                today.play_from(play, moment, today.unit.level, Placement.DEFAULT_WINDOW)
                cursors[index] = moment + play.duration
                break
        else:
            today.refuse(play, NotPlacedReason.NO_ROOM_IN_WINDOWS)
