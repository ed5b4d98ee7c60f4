"""OCR of page images with RapidOCR (PP-OCRv4 models shipped inside its wheel; nothing is
ever downloaded), cached on disk by the page image's hash.

onnxruntime is given exactly the worker's cores: its default thread pool spins and, on a
machine shared with other work, turns one page into many seconds of wall time. The angle
classifier is off (report pages are upright; a skew of a few degrees is the detector's
business). Boxes come back as axis-aligned word boxes in image pixels, after undoing the
page's skew (measured from the text lines' own slope).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from extractor.geometry.provenance import LOW_SCORE
from extractor.geometry.words import PageWords, Word
from nianbao.core.errors import BackendError

ENGINE_VERSION = "rapidocr-onnxruntime-1.4.4:ppocrv4:quick:5"  # part of the cache key
_LOCK = threading.Lock()
# text detection sees the page scaled down to this longest side at most (recognition reads
# full-size crops). A 150-dpi A4 page (1754 px) is detected as it is: scaled to 1280 it
# missed a digit here, for no CPU saving we could measure
DET_SIDE = int(os.environ.get("NIANBAO_OCR_DET_SIDE", "2000"))


def worker_cores() -> int:
    """The cores this process may run on (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@cache
def engine(threads: int | None = None) -> Any:
    """The RapidOCR engine, built once per process with `threads` intra-op threads."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise BackendError(
            f"OCR is not installed ({exc}): pip install rapidocr-onnxruntime"
        ) from None
    from rapidocr_onnxruntime.utils import infer_engine

    n = threads or int(os.environ.get("NIANBAO_OCR_THREADS", "0")) or worker_cores()
    session = infer_engine.OrtInferSession
    original = session._init_sess_opts

    def options(config: dict[str, Any]) -> Any:
        opts = original(config)
        # idle threads sleep instead of spinning: on a shared machine a spinning pool burns
        # the cores other work needs and makes every page slower
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts

    session._init_sess_opts = staticmethod(options)  # only while our sessions are built
    try:
        return RapidOCR(
            intra_op_num_threads=n,
            inter_op_num_threads=1,
            use_cls=False,
            print_verbose=False,
            det_limit_side_len=DET_SIDE,
            det_limit_type="max",
        )
    finally:
        session._init_sess_opts = staticmethod(original)


# onnxruntime's C++ bad_alloc; OpenCV's "(-4:Insufficient memory) Failed to allocate N bytes"
# (cv2.resize inside RapidOCR, wrapped as its ResizeImgError)
_OUT_OF_MEMORY = ("bad_alloc", "Failed to allocate", "Insufficient memory")


def _out_of_memory(exc: BaseException) -> bool:
    """Is this a native library's report of a failed allocation (somewhere in its chain)?"""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError) or any(mark in str(seen) for mark in _OUT_OF_MEMORY):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def memory_errors() -> Iterator[None]:
    """A native allocation failure (onnxruntime's bad_alloc, OpenCV's Insufficient memory, both
    wrapped by RapidOCR) as MemoryError: the pipeline reports that as the file being over its
    memory budget, in one line."""
    try:
        yield
    except MemoryError:
        raise
    except Exception as exc:
        if _out_of_memory(exc):
            raise MemoryError("the OCR engine could not allocate memory") from None
        raise


def cache_dir() -> Path:
    """Where OCR results live: $NIANBAO_OCR_CACHE, else ~/.cache/nianbao/ocr."""
    env = os.environ.get("NIANBAO_OCR_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "nianbao" / "ocr"


@cache
def _cache(path: str) -> Any:
    import diskcache

    return diskcache.Cache(path, size_limit=2**30)


def image_key(png: bytes) -> str:
    return hashlib.sha256(ENGINE_VERSION.encode() + b"\0" + png).hexdigest()


def recognise(image: Any, first_page: bool = False) -> list[tuple[list[list[float]], str, float]]:
    """OCR lines of a BGR image (numpy array): (quad, text, score).

    The recogniser pads every crop to at least FULL_WIDTH x 48, so a page of one-digit cells
    costs as much as a page of long lines. Short crops are read first padded only to
    QUICK_WIDTH (a fifth of the cost); those read with a low score or nothing are read again
    at full effort. Prose (a line wider than PROSE_WIDTH of the page with no short crop
    beside it) is recognised only at the top of the first page, where the title names the
    organ and the year: the tables are what the parser reads, and prose is most of the cost.
    """
    import numpy as np

    with _LOCK, memory_errors():  # one engine per process; not for concurrent calls
        ocr = engine()
        boxes, _ = ocr.text_det(image)
        if boxes is None or len(boxes) == 0:
            return []
        quads = [q.tolist() for q in ocr.sorted_boxes(boxes)]
        crops = ocr.get_crop_img_list(image, [np.array(q, dtype=np.float32) for q in quads])
        crops = _upright(crops, quads)
        height, width = image.shape[:2]
        short = [i for i, c in enumerate(crops) if c.shape[1] <= SHORT * c.shape[0]]
        bands = [(min(p[1] for p in quads[i]), max(p[1] for p in quads[i])) for i in short]
        long = []
        for i, crop in enumerate(crops):
            if crop.shape[1] <= SHORT * crop.shape[0]:
                continue
            top, bottom = min(p[1] for p in quads[i]), max(p[1] for p in quads[i])
            beside = any(a < bottom and b > top for a, b in bands)
            prose = crop.shape[1] > PROSE_WIDTH * width and not beside
            if not prose or (first_page and bottom < TITLE_AREA * height):
                long.append(i)
        read = _rec(ocr, crops, long, FULL_WIDTH)
        read.update(_rec(ocr, crops, short, QUICK_WIDTH))
        again = [i for i in short if read[i][1] < RETRY_BELOW or not read[i][0].strip()]
        for i, (text, score) in _rec(ocr, crops, again, FULL_WIDTH).items():
            if score > read[i][1]:
                read[i] = (text, score)
    return [(quads[i], text, score) for i, (text, score) in sorted(read.items()) if text.strip()]


def _upright(crops: list[Any], quads: list[list[list[float]]]) -> list[Any]:
    """RapidOCR turns every crop 1.5 times taller than wide by 90 degrees (for vertical
    text); a lone narrow glyph ("1", a thin "7") is no vertical line, and turned it reads as
    "-" or "一". Such a crop no taller than two of the page's usual boxes is turned back."""
    import numpy as np

    def size(q: list[list[float]]) -> tuple[float, float]:
        p = np.array(q, dtype=np.float32)
        w = max(np.linalg.norm(p[0] - p[1]), np.linalg.norm(p[2] - p[3]))
        h = max(np.linalg.norm(p[0] - p[3]), np.linalg.norm(p[1] - p[2]))
        return float(w), float(h)

    sizes = [size(q) for q in quads]
    usual = float(np.median([min(w, h) for w, h in sizes])) if sizes else 0.0
    out = list(crops)
    for i, (w, h) in enumerate(sizes):
        if w > 0 and h / w >= TURNED and h <= UPRIGHT_MAX * usual:
            out[i] = np.ascontiguousarray(np.rot90(crops[i], k=-1))
    return out


TURNED = 1.5  # RapidOCR's own bar for turning a crop (get_rotate_crop_image)
UPRIGHT_MAX = 2.0  # a turned crop at most this many usual box heights tall: one glyph


def _rec(ocr: Any, crops: list[Any], which: list[int], pad: int) -> dict[int, tuple[str, float]]:
    """Recognise the crops `which`, each padded to at least `pad` pixels wide."""
    if not which:
        return {}
    shape = ocr.text_rec.rec_image_shape
    ocr.text_rec.rec_image_shape = [shape[0], shape[1], pad]
    try:
        texts, _ = ocr.text_rec([crops[i] for i in which])
    finally:
        ocr.text_rec.rec_image_shape = shape
    return {i: (str(t), float(sc)) for i, (t, sc) in zip(which, texts, strict=True)}


SHORT = 4.0  # a crop no wider than this many heights is a cell (quick first reading)
QUICK_WIDTH = 64  # first reading of a short crop: padded to this width, not 320
FULL_WIDTH = 320  # the recogniser's own minimum width: full effort
# a second reading of a value (recognise_digits): first padded to this width, as the quick
# first reading; read at FULL_WIDTH only when that is below SURE
CONFIRM_WIDTH = 64
SURE = LOW_SCORE  # a second reading below the bar confirms nothing
# a quick reading scoring below this is read again at full effort (a lone "0" scores 0.4-1.0
# at any padding, 0/o being alike: only a doubtful reading of anything else gains from it)
RETRY_BELOW = 0.5
PROSE_WIDTH = 0.45  # a line wider than this share of the page, with no cell beside it
TITLE_AREA = 0.3  # prose in this top share of the first page is read (title, organ, year)


def skew(lines: list[tuple[list[list[float]], str, float]]) -> float:
    """The page's skew in radians: the median slope of the long text boxes' top edges."""
    angles = []
    for quad, text, _ in lines:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        if x1 - x0 > 4 * abs(quad[3][1] - quad[0][1]) and len(text) >= 4:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    if not angles:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]


def split_words(
    quad: list[list[float]], text: str, score: float, angle: float, centre: tuple[float, float]
) -> list[Word]:
    """One OCR line -> words (split at spaces, boxes shared out by characters), de-skewed."""
    cos, sin = math.cos(-angle), math.sin(-angle)
    cx, cy = centre

    def rotate(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        return cx + dx * cos - dy * sin, cy + dx * sin + dy * cos

    points = [rotate(x, y) for x, y in quad]
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    # a box rotated back is a little taller than the text: shave the rotation's share
    shave = abs(math.sin(angle)) * (x1 - x0) / 2
    if y1 - y0 - 2 * shave > (y1 - y0) / 3:
        y0, y1 = y0 + shave, y1 - shave
    pieces = text.split()
    if len(pieces) <= 1:
        return [Word(text.strip(), x0, y0, x1, y1, score)] if text.strip() else []
    per = (x1 - x0) / max(len(text), 1)
    words, at = [], 0
    for piece in pieces:
        start = text.index(piece, at)
        at = start + len(piece)
        words.append(Word(piece, x0 + start * per, y0, x0 + at * per, y1, score))
    return words


def recognise_cells(crops: list[Any]) -> list[tuple[str, float]]:
    """BGR cell crops, each read alone at full effort: (text, score) of each."""
    with _LOCK, memory_errors():
        read = _rec(engine(), crops, list(range(len(crops))), FULL_WIDTH)
    return [read[i] for i in range(len(crops))]


def recognise_digits(crops: list[Any]) -> list[tuple[str, float]]:
    """BGR crops of one value each, read as numbers: (text, score).

    The recogniser's score for a character is its top class's probability; a "0" whose
    probability is shared with "O", "o" and "〇" scores low though every reading is zero.
    Here a character that stands for a digit gets the probability of all the characters
    standing for that digit (extractor.geometry.numbers.digit_class) and prints as the
    digit; the score is the least sure character's. Any other character keeps its own.

    Each crop is read padded to CONFIRM_WIDTH (a fifth of the cost); one whose reading is
    not sure (below SURE) is read again at FULL_WIDTH and that reading is its answer: a
    lone "0" that narrow can score 0.57 where at 320 it scores 0.99."""
    if not crops:
        return []
    with _LOCK, memory_errors():
        rec = engine().text_rec
        read = _read_digits(rec, crops, list(range(len(crops))), CONFIRM_WIDTH)
        unsure = [i for i, (_, score) in read.items() if score < SURE]
        read.update(_read_digits(rec, crops, unsure, FULL_WIDTH))
    return [read[i] for i in range(len(crops))]


def _read_digits(
    rec: Any, crops: list[Any], which: list[int], width: int
) -> dict[int, tuple[str, float]]:
    """The crops `which` read as numbers, each padded to at least `width` pixels."""
    import numpy as np

    if not which:
        return {}
    chars, members = _digit_classes(tuple(rec.postprocess_op.character))
    height = rec.rec_image_shape[1]
    least = width / height
    ratios = {i: max(least, crops[i].shape[1] / max(crops[i].shape[0], 1)) for i in which}
    # crops that fit the width are padded to it alike, so a batch of them reads each as
    # it would alone (a wider crop, rare, is read at its own width). Batches stay small:
    # one of a page's ~100 crops ran 7x the CPU of reading them one by one (activations
    # far past the cache), so the recogniser's own batch size (rec_batch_num, 6)
    fit = [i for i in which if ratios[i] <= least]
    size = max(1, int(getattr(rec, "rec_batch_num", 6)))
    groups = [fit[at : at + size] for at in range(0, len(fit), size)]
    groups += [[i] for i in which if ratios[i] > least]
    read: dict[int, tuple[str, float]] = {}
    for group in groups:
        ratio = ratios[group[0]]
        batch = np.stack([rec.resize_norm_img(crops[i], ratio) for i in group])
        for i, probs in zip(group, rec.session(batch.astype(np.float32))[0], strict=True):
            read[i] = _pooled(probs, chars, members, rec.postprocess_op.character)
    return read


def _pooled(
    probs: Any, chars: list[str | None], members: dict[str, Any], characters: list[str]
) -> tuple[str, float]:
    """CTC-decode one crop's probabilities (steps x characters), digit look-alikes pooled."""
    best = probs.argmax(axis=1)
    text, sure = [], []
    for step, index in enumerate(best):
        if index == 0 or (step and index == best[step - 1]):
            continue  # CTC: a blank, or the same character held over steps
        digit = chars[index]
        if digit is None:
            text.append(characters[index])
            sure.append(float(probs[step, index]))
        else:
            text.append(digit)
            sure.append(float(probs[step, members[digit]].sum()))
    return "".join(text), min(sure) if sure else 0.0


@cache
def _digit_classes(characters: tuple[str, ...]) -> tuple[list[str | None], dict[str, Any]]:
    """Each recogniser character's digit class, and each class's character indices."""
    import numpy as np

    from extractor.geometry.numbers import digit_class

    chars = [None if i == 0 else digit_class(c) for i, c in enumerate(characters)]
    members: dict[str, list[int]] = {}
    for i, digit in enumerate(chars):
        if digit is not None:
            members.setdefault(digit, []).append(i)
    return chars, {d: np.array(ix) for d, ix in members.items()}


def ocr_pages(images: list[Any], recogniser: Any = None) -> list[PageWords]:
    """Words of page images (PIL), OCR'd through `recogniser` (an ocr_pool.Recogniser; by
    default here) unless the disk cache has them, de-skewed, with each grey image kept so
    the grid builder can tell an empty cell from one the OCR missed."""
    import io

    import numpy as np

    from extractor.geometry.ocr_pool import Recogniser

    rec = recogniser if recogniser is not None else Recogniser()
    store = _cache(str(cache_dir()))
    greys, keys = [], []
    for index, image in enumerate(images):
        grey = image.convert("L")
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG", compress_level=1)
        greys.append(grey)
        keys.append(f"{image_key(buf.getvalue())}:{int(index == 0)}")
    lines: list[Any] = [store.get(key) for key in keys]
    missing = [i for i, hit in enumerate(lines) if hit is None]
    if missing:
        read = rec.pages([(np.asarray(greys[i]), i == 0) for i in missing])
        for i, page_lines in zip(missing, read, strict=True):
            store.set(keys[i], page_lines)
            lines[i] = page_lines
    return [_page(i, greys[i], lines[i], keys[i], rec) for i in range(len(images))]


def _page(index: int, grey: Any, lines: Any, key: str, rec: Any) -> PageWords:
    import numpy as np

    angle = skew(lines)
    width, height = grey.size
    centre = (width / 2, height / 2)
    words = [
        w for quad, text, score in lines for w in split_words(quad, text, score, angle, centre)
    ]
    if abs(angle) > 1e-3:
        # the ink test looks at de-skewed cell boxes: turn the image the same way
        grey = grey.rotate(math.degrees(angle), fillcolor=255, center=centre)
    ink = np.asarray(grey)

    def reread(box: tuple[float, float, float, float]) -> tuple[str, float] | None:
        return reread_cell(ink, box, key, rec)

    def confirm(boxes: list[tuple[float, float, float, float]]) -> list[tuple[str, float] | None]:
        return reread_digits(ink, boxes, key, rec)

    return PageWords(
        index,
        float(width),
        float(height),
        words,
        source="ocr",
        ink=ink,
        reread=reread,
        confirm=confirm,
    )


def reread_cell(
    ink: Any, box: tuple[float, float, float, float], page_key: str, rec: Any
) -> tuple[str, float] | None:
    """One cell of the (de-skewed, grey) page read alone at full effort, cached like pages."""
    x0, y0, x1, y1 = (round(v) for v in box)
    crop = ink[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    if crop.size == 0:
        return None
    key = f"{page_key}:cell:{x0},{y0},{x1},{y1}"
    store = _cache(str(cache_dir()))
    hit = store.get(key)
    if hit is None:
        hit = tuple(rec.cells([crop])[0])
        store.set(key, hit)
    text, score = hit
    return (text, score) if text.strip() else None


def reread_digits(
    ink: Any, boxes: list[tuple[float, float, float, float]], page_key: str, rec: Any
) -> list[tuple[str, float] | None]:
    """Values' boxes of the (de-skewed, grey) page read again as numbers, cached one by one
    like cells; the ones the cache lacks go to the recogniser in one call."""
    store = _cache(str(cache_dir()))
    keys: list[str | None] = []
    crops: dict[str, Any] = {}
    for box in boxes:
        x0, y0, x1, y1 = (round(v) for v in box)
        crop = ink[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
        key = f"{page_key}:digits{CONFIRM_WIDTH}-{FULL_WIDTH}:{x0},{y0},{x1},{y1}"
        keys.append(key if crop.size else None)
        if crop.size and key not in crops:
            crops[key] = crop
    found = {k: store.get(k) for k in crops}
    missing = [k for k, hit in found.items() if hit is None]
    if missing:
        for k, hit in zip(missing, rec.digits([crops[k] for k in missing]), strict=True):
            found[k] = tuple(hit)
            store.set(k, found[k])
    out: list[tuple[str, float] | None] = []
    for key in keys:
        hit = found[key] if key is not None else None
        out.append((hit[0], hit[1]) if hit is not None and hit[0].strip() else None)
    return out
