"""How many ways a glued digit run reads as values, counted exactly in time linear in the run.

A flattened web page prints a row's values with nothing between them ("规章000"). A cut of
such a run is proven only when the run has one reading at all: one way to cut it into values,
whatever number of values the row prints. A row may print fewer values than it has cells (a
blank that left no trace, a value lost) or more (a value printed twice), and nothing in a
glued run shows which; so "0|0|0" is proven for "000" (no value starts with 0 but a lone 0),
while "080" is not ("0|80" is a reading too). Counting, not enumerating: a 5,000-digit run
is answered as fast as a short one. Used by the parser to mark a proven cut and by
`rules.proving` to accept it (see docs/proof.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from nianbao.core.models import CellProvenance

CAP = 2  # counting stops here: "one reading" or "several" is all a proof asks
# A cell whose cut is proven (the only reading of its run, whatever the count) carries this
# confidence with method "segmented": read as printed, with no assumption about the count.
CUT_PROVEN = 1.0
SEGMENTED = "segmented"


def readings(run: str, *, signed: bool = False, decimal: bool = False, cap: int = CAP) -> int:
    """Ways to read `run` as a sequence of values, any number of them, capped at `cap`.

    Whitespace is a cut that must be made. A value is "0" or digits not starting with 0;
    with `decimal`, a point and digits may follow; with `signed`, a "-" may lead. The kinds
    apply to every value (the run's values are not yet tied to columns), so the count is
    never smaller than that of any one assignment of kinds to positions.
    """
    run_ = _Run(run)
    ways = [0] * (run_.size + 1)
    ways[run_.size] = 1
    suffix = _suffix(ways, run_.size)
    for i in range(run_.size - 1, -1, -1):
        ways[i] = min(
            cap, sum(suffix[lo] - suffix[hi + 1] for lo, hi in run_.ends(i, signed, decimal))
        )
        suffix[i] = suffix[i + 1] + ways[i]
    return ways[0]


def cuts(
    run: str,
    n: int,
    *,
    signed: Sequence[int] = (),
    decimals: Sequence[int] = (),
    cap: int = CAP,
) -> int:
    """Ways to cut `run` into exactly `n` values (capped at `cap`), the value at position k
    signed when k is in `signed`, an amount when in `decimals`: what the parser's search
    enumerates, counted without enumerating, in O(len(run) * n)."""
    if n < 1:
        return 0
    run_ = _Run(run)
    size = run_.size
    sign, dec = set(signed), set(decimals)
    # nxt[j]: cuts of text[j:] into the values k+1..n-1; built from the last value back
    nxt = [0] * (size + 1)
    nxt[size] = 1
    for k in range(n - 1, -1, -1):
        suffix = _suffix(nxt, size)
        row = [0] * (size + 1)
        for i in range(size - 1, -1, -1):
            ranges = run_.ends(i, k in sign, k in dec)
            row[i] = min(cap, sum(suffix[lo] - suffix[hi + 1] for lo, hi in ranges))
        nxt = row
    return nxt[0]


def sole_cut(run: str, n: int, *, signed: Sequence[int] = (), decimals: Sequence[int] = ()) -> bool:
    """True when `run` has exactly one reading at all (any number of values, any of the
    row's kinds at any position) and that reading has `n` values: the cut is then exactly
    what the row prints. A "-" is never sole: it is also a blank's placeholder glued into
    the run ("0-4" is 0|-4, or 0|blank|4), another reading at another count."""
    if "-" in run:
        return False
    if readings(run, signed=bool(signed), decimal=bool(decimals)) != 1:
        return False
    return cuts(run, n, signed=signed, decimals=decimals) == 1


def cut_proven(prov: CellProvenance) -> bool:
    """A cell the parser cut from a glued run whose only reading it is (`sole_cut`)."""
    return prov.method == SEGMENTED and prov.confidence >= CUT_PROVEN


def _suffix(ways: list[int], size: int) -> list[int]:
    """suffix[i] = sum of ways[i:] (of values already capped, so range sums stay exact up to
    the cap)."""
    out = [0] * (size + 2)
    for i in range(size, -1, -1):
        out[i] = out[i + 1] + ways[i]
    return out


class _Run:
    """A run without its whitespace, with where each value must stop (the next forced cut)
    and where each digit stretch ends: what makes the ends of a value two ranges."""

    def __init__(self, run: str) -> None:
        pieces = run.split()
        self.text = text = "".join(pieces)
        self.size = size = len(text)
        stop = [size] * (size + 1)
        at = 0
        for piece in pieces:
            for i in range(at, at + len(piece)):
                stop[i] = at + len(piece)
            at += len(piece)
        self.stop = stop
        digit_end = [size] * (size + 1)
        for i in range(size - 1, -1, -1):
            more = text[i].isdigit() and i + 1 < stop[i]
            digit_end[i] = (digit_end[i + 1] if more else i + 1) if text[i].isdigit() else i
        self.digit_end = digit_end
        nonzero = [size] * (size + 1)  # first digit 1-9 at or after i in its digit stretch
        for i in range(size - 1, -1, -1):
            if text[i] in "123456789":
                nonzero[i] = i
            elif text[i] == "0" and i + 1 < stop[i]:
                nonzero[i] = nonzero[i + 1]
        self.nonzero = nonzero

    def ends(self, i: int, signed: bool, decimal: bool) -> list[tuple[int, int]]:
        """The ends j of the values text[i:j] that may start at i, as inclusive ranges (the
        whole digits, then the digits after a point)."""
        text, p = self.text, i
        if text[p] == "-":
            if not signed:
                return []
            p += 1
        if p >= self.stop[i] or not text[p].isdigit():
            return []
        end = self.digit_end[p]
        lone_zero = text[p] == "0"
        whole_hi = p + 1 if lone_zero else end  # "0" alone, else any prefix of the digits
        out = [] if lone_zero and p > i else [(p + 1, whole_hi)]  # "-0" is no value
        point = end  # a point may follow the whole digits only where they end
        if (
            decimal
            and whole_hi == end
            and point + 1 < self.stop[i]
            and text[point] == "."
            and text[point + 1].isdigit()
        ):
            lo = point + 2
            if lone_zero and p > i:  # "-0.05": a value only once a digit is not 0
                lo = max(lo, self.nonzero[point + 1] + 1)
            if lo <= self.digit_end[point + 1]:
                out.append((lo, self.digit_end[point + 1]))
        return out


def grouped_readings(run: str, *, cap: int = CAP) -> int:
    """Ways to read a glued run printed with thousands separators ("1,1967,9331,201") as a
    sequence of values, any number of them, capped at `cap`: a value is "0", digits not
    starting with 0, or one to three such digits followed by groups ",ddd"; a comma is never
    a cut (no value starts or ends at one). Whitespace is a cut that must be made. A run
    with anything else in it (a point, a sign) is not counted here: `cap` is returned."""
    text = run
    if any(not (ch.isdigit() or ch == "," or ch.isspace()) for ch in text):
        return cap
    size = len(text)
    ways = [0] * (size + 1)
    ways[size] = 1
    for i in range(size - 1, -1, -1):
        if text[i].isspace():
            ways[i] = ways[i + 1]
            continue
        total = 0
        for j in _grouped_value_ends(text, i):
            total += ways[j] if j == size or text[j] != "," else 0
        ways[i] = min(cap, total)
    return ways[0]


def _grouped_value_ends(text: str, i: int) -> list[int]:
    """The ends j of the values text[i:j] may be: plain digits (a lone 0, or not starting
    with 0), or 1-3 digits then one or more ",ddd" groups."""
    if not text[i].isdigit():
        return []
    digits_end = i
    while digits_end < len(text) and text[digits_end].isdigit():
        digits_end += 1
    plain = [i + 1] if text[i] == "0" else list(range(i + 1, digits_end + 1))
    grouped: list[int] = []
    if text[i] != "0":
        for lead in range(1, 4):
            j = i + lead
            if j > digits_end:
                break
            while j + 4 <= len(text) and text[j] == "," and text[j + 1 : j + 4].isdigit():
                j += 4
                grouped.append(j)
            # a group is exactly three digits: more digits right after it start the next value
    return plain + grouped
