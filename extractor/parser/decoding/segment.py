"""Cut a run of glued digits ("640020470") into a row's values, under the row's sums.

Flattened web pages print a table row with no separator between its cells. This module
lists every way to cut such a run into n values (no leading zeros, "-" only where a column may
be negative), pruned by the sums the layout says the row carries (a total equals the sum of
its parts), and bounded so that a long run never explodes. It never chooses: it ranks the
readings by a weak prior and leaves the choice to `extractor.parser.decoding.decode`.

The search itself (`Search`): depth-first, left to right. A group of parts printed right
before their total is cut total-first with exact minimum/maximum sums per position; other
totals are matched when reached; failed sub-searches are memoised; every step counts against
a budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from rules.cuts import cuts, sole_cut
from rules.identities import identities_for

# A total: (positions of its parts, position of the total), the total after all its parts.
SumSpec = tuple[tuple[int, ...], int]


@dataclass(frozen=True)
class Cut:
    """One way to cut a run: the values and each value's [start, end) offsets in the run."""

    values: tuple[int | Decimal, ...]
    spans: tuple[tuple[int, int], ...]
    row_number: str | None = None  # trailing digits read as the next row's number, if any

    @property
    def prior(self) -> tuple[int, int]:
        """Smaller is more plausible: balanced digit lengths, then fewer digits overall."""
        lengths = [e - s for s, e in self.spans]
        return sum(n * n for n in lengths), sum(lengths)


class Search:
    """Depth-first cutting, left to right, with two kinds of pruning.

    A group of parts printed just before their total (a part-三 row, each part-四 group) is
    cut total-first: every span that can hold the total is tried, then the parts are cut to sum
    to it, skipping any cut after which the remaining characters cannot reach the remaining
    sum (exact minimum/maximum sums per position, computed once per group end). Other totals
    are checked when reached. Every search step counts against `max_nodes`.
    """

    def __init__(
        self,
        run: str,
        n: int,
        signed: frozenset[int],
        decimals: frozenset[int],
        sums: Sequence[SumSpec],
        limit: int,
        max_nodes: int,
    ) -> None:
        chars: list[str] = []
        self.offsets: list[int] = []  # index in `run` of each kept character
        forced: set[int] = set()  # cut positions that whitespace imposes
        for i, ch in enumerate(run):
            if ch.isspace():
                if chars:
                    forced.add(len(chars))
            else:
                chars.append(ch)
                self.offsets.append(i)
        self.text = text = "".join(chars)
        self.size = size = len(text)
        forced.discard(size)
        # next_cut[i]: the first forced cut after i (no value may run past it)
        self.next_cut = [size] * (size + 1)
        for i in range(size - 1, -1, -1):
            self.next_cut[i] = i + 1 if (i + 1) in forced else self.next_cut[i + 1]
        # starts_after[j]: whitespace pieces starting after j (each needs a value of its own)
        self.starts_after = [sum(1 for f in forced if f > j) for j in range(size + 1)]
        self.n, self.signed, self.decimals, self.limit = n, signed, decimals, limit
        self.max_nodes, self.nodes = max_nodes, 0
        self.total_at = {total: parts for parts, total in sums}
        # groups cut total-first: plain parts, contiguous, printed right before their total
        self.group_at: dict[int, int] = {}  # first part position -> total position
        for parts, total in sums:
            block = tuple(range(total - len(parts), total))
            if tuple(sorted(parts)) == block and not (set(block) | {total}) & (signed | decimals):
                self.group_at[block[0]] = total
        self.values: list[int | Decimal] = []
        self.cuts: list[tuple[int, int]] = []
        self.readings: list[Cut] = []
        self.truncated = False
        self._bounds: dict[
            tuple[int, int], tuple[list[list[int | None]], list[list[int | None]]]
        ] = {}
        self._plain: dict[int, int | None] = {}
        self._reads: list[list[tuple[int, int]]] | None = None
        self._dead: set[tuple[int, int, int, int]] = set()  # (pos, hi, k, need) with no cut

    # -- helpers -----------------------------------------------------------------------------
    def fits(self, j: int, idx: int) -> bool:
        """Can text[j:] still hold the values after position idx?"""
        left = self.n - idx - 1
        if left == 0 or j == self.size:
            return left == 0 and j == self.size
        return self.size - j >= left and 1 + self.starts_after[j] <= left

    def plain(self, i: int, j: int) -> int | None:
        """text[i:j] as a plain count, or None (read once per span: the search asks often)."""
        key = i * (self.size + 1) + j
        if key in self._plain:
            return self._plain[key]
        digits = self.text[i:j]
        value = None
        if digits.isdigit() and (len(digits) == 1 or digits[0] != "0"):
            value = int(digits)
        self._plain[key] = value
        return value

    def reads(self) -> list[list[tuple[int, int]]]:
        """Per start, every (end, value) that reads as a plain count, shortest first (up to
        the next forced cut): the bounds tables ask for them over and over."""
        if self._reads is None:
            self._reads = []
            for pos in range(self.size):
                found = []
                for j in range(pos + 1, self.next_cut[pos] + 1):
                    value = self.plain(pos, j)
                    if value is None:
                        break
                    found.append((j, value))
                self._reads.append(found)
        return self._reads

    def bounds(
        self, hi: int, k: int, width: int
    ) -> tuple[list[list[int | None]], list[list[int | None]]]:
        """least[pos][m], most[pos][m]: the smallest / largest sum of m plain values of at most
        `width` digits cut from text[pos:hi] (None: impossible)."""
        cached = self._bounds.get((hi, width))
        if cached is not None and len(cached[0][hi]) > k:
            return cached
        least: list[list[int | None]] = [[None] * (k + 1) for _ in range(hi + 1)]
        most: list[list[int | None]] = [[None] * (k + 1) for _ in range(hi + 1)]
        least[hi][0] = most[hi][0] = 0
        reads = self.reads()
        for pos in range(hi - 1, -1, -1):
            stop = min(hi, pos + width)
            lo_p, hi_p = least[pos], most[pos]
            for j, value in reads[pos]:
                if j > stop:
                    break
                lo_j, hi_j = least[j], most[j]
                for m in range(1, min(k, hi - j + 1) + 1):
                    rest_lo, rest_hi = lo_j[m - 1], hi_j[m - 1]
                    if rest_lo is None or rest_hi is None:
                        continue
                    low, high = lo_p[m], hi_p[m]
                    if low is None or value + rest_lo < low:
                        lo_p[m] = value + rest_lo
                    if high is None or value + rest_hi > high:
                        hi_p[m] = value + rest_hi
        self._bounds[(hi, width)] = (least, most)
        return least, most

    def tick(self) -> bool:
        """Count a step; False once a bound is hit."""
        self.nodes += 1
        if self.nodes > self.max_nodes or len(self.readings) >= self.limit:
            self.truncated = True
        return not self.truncated

    def push(self, value: int | Decimal, i: int, j: int) -> None:
        self.values.append(value)
        self.cuts.append((i, j))

    def pop(self, count: int = 1) -> None:
        del self.values[-count:]
        del self.cuts[-count:]

    # -- search ------------------------------------------------------------------------------
    def walk(self, i: int, idx: int) -> None:
        if not self.tick():
            return
        if idx == self.n:
            if i == self.size:
                spans = tuple((self.offsets[s], self.offsets[e - 1] + 1) for s, e in self.cuts)
                self.readings.append(Cut(tuple(self.values), spans))
            return
        if i >= self.size:
            return
        if idx in self.group_at:
            self.walk_group(i, idx, self.group_at[idx])
        elif idx in self.total_at:
            self.walk_total(i, idx)
        else:
            self.walk_value(i, idx)

    def walk_total(self, i: int, idx: int) -> None:
        """A total whose parts are already cut: its digits are known, only match them."""
        expected = sum(self.values[p] for p in self.total_at[idx])
        want = str(expected)
        j = i + len(want)
        if j <= self.next_cut[i] and self.text[i:j] == want and self.fits(j, idx):
            self.push(expected, i, j)
            self.walk(j, idx + 1)
            self.pop()

    def walk_value(self, i: int, idx: int) -> None:
        """A value under no total: every admissible length."""
        text, start = self.text, i
        negative = text[i] == "-"
        if negative:
            if idx not in self.signed:
                return
            start = i + 1
        stop = self.next_cut[i]
        if start >= stop or not text[start].isdigit():
            return
        for j in range(start + 1, stop + 1):
            if not self.tick():
                return
            value = number(text[start:j], idx in self.decimals)
            if value is None:
                if text[j - 1] == "." and idx in self.decimals and "." not in text[start : j - 1]:
                    continue  # "12." may still grow into "12.5"
                break
            if not self.fits(j, idx) or (negative and value == 0):
                continue
            self.push(-value if negative else value, i, j)
            self.walk(j, idx + 1)
            self.pop()

    def walk_group(self, i: int, first: int, total: int) -> None:
        """Parts first..total-1 then their total: place the total, then cut parts to fit it."""
        k = total - first
        for a in range(i + k, self.size):
            # the total closes the run: it can only end at the run's end
            ends = [self.size] if total == self.n - 1 else range(a + 1, self.next_cut[a] + 1)
            for b in ends:
                if not self.tick():
                    return
                if b > self.next_cut[a]:
                    break
                value = self.plain(a, b)
                if value is None:
                    break
                if not self.fits(b, total):
                    continue
                # k parts of at most len(total) digits each must fill text[i:a], and the
                # longest of them (ceil((a - i) / k) digits or more) cannot exceed the total
                if a - i > k * (b - a) or -(-(a - i) // k) > b - a:
                    continue
                least, most = self.bounds(a, k, b - a)  # no part has more digits than the total
                low, high = least[i][k], most[i][k]
                if low is None or high is None or not low <= value <= high:
                    continue
                for parts in self.cut_parts(i, a, k, value, least, most):
                    for v, s, e in parts:
                        self.push(v, s, e)
                    self.push(value, a, b)
                    self.walk(b, total + 1)
                    self.pop(k + 1)
                    if self.truncated:
                        return

    def cut_parts(
        self,
        pos: int,
        hi: int,
        k: int,
        need: int,
        least: list[list[int | None]],
        most: list[list[int | None]],
    ) -> Iterator[list[tuple[int, int, int]]]:
        """Every cut of text[pos:hi] into k plain values summing to `need`."""
        if k == 1:  # the last part is determined: it must read as `need`
            if hi <= self.next_cut[pos] and self.plain(pos, hi) == need:
                yield [(need, pos, hi)]
            return
        state = (pos, hi, k, need)
        if state in self._dead:
            return
        found = False
        end = min(self.next_cut[pos], hi)
        reads = self.reads()[pos]
        for j, value in reads:
            if j > end:
                break
            self.nodes += 1
            if self.nodes > self.max_nodes:
                self.truncated = True
                return
            if value > need:
                break
            low, high = least[j][k - 1], most[j][k - 1]
            if low is None or high is None or not low <= need - value <= high:
                continue
            for rest in self.cut_parts(j, hi, k - 1, need - value, least, most):
                found = True
                yield [(value, pos, j), *rest]
        else:
            if (reads[-1][0] if reads else pos) < end:
                # the span one digit longer does not read as a count: a step, as ever
                self.nodes += 1
                if self.nodes > self.max_nodes:
                    self.truncated = True
                    return
        if not found and not self.truncated:
            self._dead.add(state)


def number(digits: str, decimal: bool) -> int | Decimal | None:
    """The value of one cut, or None if it cannot be a printed number ("012", "1.2.3")."""
    whole, dot, frac = digits.partition(".")
    if not whole.isdigit() or (len(whole) > 1 and whole[0] == "0"):
        return None
    if not dot:
        return int(whole)
    if not decimal or not frac.isdigit():
        return None
    return Decimal(digits)


# --- segmentation of one run, on top of the search ---

MAX_NODES = 50_000  # search steps per run; past this the enumeration stops, marked truncated
MAX_RESULTS = 64  # readings kept per run; past this the list is marked truncated
MAX_ROW_NUMBER = 20  # a stuck row number ("2." of the next label) is an ordinal this small

_RUN = re.compile(r"[0-9.\-\s]+")
_NUMBERING = re.compile(r"^\s*[.．、)）]")  # what follows a row number: "2.其他", "3、"


@dataclass
class Segmentation:
    """Every reading found for a run, most plausible first; `truncated` if the bounds hit.

    `sole`: the run has this one reading whatever number of values it is read as
    (`rules.cuts.sole_cut`): the cut is what the row prints, not an assumption about how
    many values it prints.
    """

    readings: list[Cut] = field(default_factory=list)
    truncated: bool = False
    sole: bool = False

    @property
    def candidates(self) -> list[tuple[int | Decimal, ...]]:
        return [r.values for r in self.readings]


def split_glued(
    run: str,
    n: int,
    *,
    signed: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    decimals: Sequence[int] = (),
    limit: int = MAX_RESULTS,
) -> list[tuple[int | Decimal, ...]]:
    """Every way to cut `run` into n values that meets `sums`, most plausible first.

    Whitespace inside the run is a cut that must be made ("230 000023"); no value has a leading
    zero except a lone "0"; a value at a position in `signed` may start with "-", one in
    `decimals` may hold a decimal point (an amount, returned as a Decimal).
    """
    return segment(run, n, signed=signed, sums=sums, decimals=decimals, limit=limit).candidates


def segment(
    run: str,
    n: int,
    *,
    signed: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    decimals: Sequence[int] = (),
    limit: int = MAX_RESULTS,
    max_nodes: int = MAX_NODES,
) -> Segmentation:
    """`split_glued` with the value spans and a flag saying whether a bound was hit."""
    if n < 1:
        raise ValueError(f"cannot cut a run into {n} values")
    if not _RUN.fullmatch(run):
        raise ValueError(f"not a run of digits: {run!r}")
    for parts, total in sums:
        if any(p >= total for p in parts) or total >= n:
            raise ValueError(f"a total must follow its parts within {n} values: {parts} -> {total}")
    key = (tuple(signed), tuple((tuple(p), t) for p, t in sums), tuple(decimals))
    readings, truncated, sole = _segment_cached(run, n, *key, limit, max_nodes)
    return Segmentation(list(readings), truncated, sole)


@lru_cache(maxsize=4096)
def _segment_cached(
    run: str,
    n: int,
    signed: tuple[int, ...],
    sums: tuple[SumSpec, ...],
    decimals: tuple[int, ...],
    limit: int,
    max_nodes: int,
) -> tuple[tuple[Cut, ...], bool, bool]:
    """Most rows of a report are the same few runs ("0000000"): cut each once."""
    search = Search(run, n, frozenset(signed), frozenset(decimals), sums, limit, max_nodes)
    search.walk(0, 0)
    found = tuple(sorted(search.readings, key=lambda r: r.prior))
    truncated = search.truncated
    if truncated and found:
        # a bound stopped the enumeration; the exact count of cuts (sums aside, so an upper
        # bound on those that meet them) says whether any reading was in fact left out
        truncated = cuts(run, n, signed=signed, decimals=decimals, cap=len(found) + 1) > len(found)
    sole = len(found) == 1 and not truncated and sole_cut(run, n, signed=signed, decimals=decimals)
    return found, truncated, sole


def row_number_readings(run: str, following: str, *, max_number: int = MAX_ROW_NUMBER) -> list[str]:
    """The run as printed and, when the text after it opens a numbered label ("2.其他…"),
    the run without its last one or two digits (that number belongs to the next row).

    Both are offered: which one is right is for the identities to say, not for a guess here.
    """
    if not _NUMBERING.match(following):
        return [run]
    stripped = run.rstrip()
    out: list[str] = []
    for k in (1, 2):
        head, tail = stripped[:-k], stripped[-k:]
        if head.strip() and tail.isdigit() and tail[0] != "0" and int(tail) <= max_number:
            out.append(head)
    return [*out, run]


def segment_with_row_number(
    run: str,
    n: int,
    following: str = "",
    *,
    signed: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    decimals: Sequence[int] = (),
    limit: int = MAX_RESULTS,
) -> Segmentation:
    """Readings of `run` both with and without a trailing number stuck from the next label."""
    merged = Segmentation()
    seen: set[tuple[int | Decimal, ...]] = set()
    for variant in row_number_readings(run, following):
        part = segment(variant, n, signed=signed, sums=sums, decimals=decimals, limit=limit)
        merged.truncated |= part.truncated
        tail = run.rstrip()[len(variant.rstrip()) :] or None
        for reading in part.readings:
            if reading.values not in seen:
                seen.add(reading.values)
                merged.readings.append(Cut(reading.values, reading.spans, tail))
    return merged


def sums_for(template: str, keys: Sequence[str]) -> list[SumSpec]:
    """The totals a run of cells carries, from the template's identities.

    Every identity whose cells all lie in `keys`, with one total printed after its parts,
    becomes (part positions, total position): a part-三 row gives its row sum, the part-四
    run of 15 cells its three group sums.
    """
    return list(_sums_for(template, tuple(keys)))


@cache
def _sums_for(template: str, keys: tuple[str, ...]) -> tuple[SumSpec, ...]:
    where = {key: n for n, key in enumerate(keys)}
    out: list[SumSpec] = []
    for ident in identities_for(template):
        if len(ident.rhs) != 1 or not all(k in where for k in ident.keys):
            continue
        parts = tuple(where[k] for k in ident.lhs)
        total = where[ident.rhs[0]]
        if parts and max(parts) < total:
            out.append((parts, total))
    return tuple(out)
