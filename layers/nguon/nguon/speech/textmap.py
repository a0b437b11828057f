"""Offsets through the speech pipeline: from what an engine read back to what the caller sent.

Text goes SSML (or plain text) → lexicon aliases → normalisation → engine, and each step
changes the text. Speech marks must still point into the caller's input (Polly: byte offsets
of the input), so every step keeps a map from its output back to its input, and the maps are
chained. A map answers ``source_range(start, end)``: the input span that output characters
``[start, end)`` came from. Maps here are *monotone* (later output never comes from earlier
input), so a range maps through its first and last character only.
"""

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from typing import Protocol


class SourceMap(Protocol):
    """Anything that maps an output range back to its input range (the normaliser's too)."""

    def source_range(self, out_start: int, out_end: int) -> tuple[int, int]: ...


class CharMap:
    """For each output character, the input span ``[start, end)`` it came from.

    Built piece by piece: a literal piece maps character to character; a replaced piece (an
    alias, an SSML ``<sub>``, an entity) maps each of its characters to the whole input span
    it replaces, so a word mark inside "uỷ ban nhân dân" points at "UBND".
    """

    __slots__ = ("_ends", "_origin", "_starts", "text_parts")

    def __init__(self, origin: int = 0) -> None:
        self._starts = array("q")
        self._ends = array("q")
        self._origin = origin
        self.text_parts: list[str] = []

    @classmethod
    def identity(cls, text: str, offset: int = 0) -> "CharMap":
        """``text`` read as is, its first character at ``offset`` of the input."""
        built = cls(offset)
        built.literal(text, offset)
        return built

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def literal(self, text: str, src_start: int) -> None:
        """Append ``text``, copied from the input at ``src_start`` character for character."""
        if not text:
            return
        self._check(src_start)
        self.text_parts.append(text)
        self._starts.extend(range(src_start, src_start + len(text)))
        self._ends.extend(range(src_start + 1, src_start + len(text) + 1))

    def replaced(self, text: str, src_start: int, src_end: int) -> None:
        """Append ``text``, which stands for the input span ``[src_start, src_end)``."""
        if not text:
            return
        self._check(src_start)
        self.text_parts.append(text)
        self._starts.extend([src_start] * len(text))
        self._ends.extend([src_end] * len(text))

    def _check(self, src_start: int) -> None:
        if self._starts and src_start < self._starts[-1]:
            raise ValueError("a CharMap is built in input order")

    def source_range(self, out_start: int, out_end: int) -> tuple[int, int]:
        size = len(self._starts)
        if size == 0:
            return self._origin, self._origin
        out_start = min(max(out_start, 0), size)
        out_end = min(max(out_end, out_start), size)
        if out_start == out_end:
            at = self._starts[out_start] if out_start < size else self._ends[size - 1]
            return at, at
        return self._starts[out_start], max(self._ends[out_end - 1], self._starts[out_start])


class Chain:
    """``outer`` after ``inner``: output of the last step back to input of the first."""

    __slots__ = ("_steps",)

    def __init__(self, *steps: SourceMap) -> None:
        # steps[0] is the last transformation (closest to the engine), steps[-1] the first.
        self._steps = steps

    def source_range(self, out_start: int, out_end: int) -> tuple[int, int]:
        start, end = out_start, out_end
        for step in self._steps:
            start, end = step.source_range(start, end)
        return start, end


class Joined:
    """Several texts read one after another, each with its own map, as one text."""

    __slots__ = ("_maps", "_offsets")

    def __init__(self, parts: Sequence[tuple[int, SourceMap]]) -> None:
        # parts: (length of the part's text, its map), in order.
        self._offsets: list[int] = []
        self._maps: list[tuple[int, SourceMap]] = []
        offset = 0
        for length, mapping in parts:
            self._offsets.append(offset)
            self._maps.append((length, mapping))
            offset += length

    def _part(self, position: int) -> int:
        return max(bisect_right(self._offsets, position) - 1, 0)

    def source_range(self, out_start: int, out_end: int) -> tuple[int, int]:
        if not self._maps:
            return 0, 0
        first = self._part(out_start)
        last = self._part(max(out_end - 1, out_start))
        length, mapping = self._maps[first]
        local_start = out_start - self._offsets[first]
        if first == last:
            return mapping.source_range(local_start, out_end - self._offsets[first])
        start, _ = mapping.source_range(local_start, length)
        length, mapping = self._maps[last]
        _, end = mapping.source_range(0, out_end - self._offsets[last])
        return start, end


class ByteOffsets:
    """Character offsets of a text as UTF-8 byte offsets (Polly's speech marks count bytes)."""

    __slots__ = ("_cumulative",)

    def __init__(self, text: str) -> None:
        cumulative = array("q", [0])
        total = 0
        for char in text:
            code = ord(char)
            total += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
            cumulative.append(total)
        self._cumulative = cumulative

    def __call__(self, char_offset: int) -> int:
        return self._cumulative[min(max(char_offset, 0), len(self._cumulative) - 1)]

    def char_of(self, byte_offset: int) -> int:
        """The character a byte offset falls in (the inverse, for expat's byte positions)."""
        return max(bisect_right(self._cumulative, byte_offset) - 1, 0)
