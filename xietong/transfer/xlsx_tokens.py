"""The fast path of the xlsx reader: a numba kernel that finds the cells of a chunk of sheet
XML (un-prefixed SpreadsheetML in UTF-8, as Excel, WPS and our writer write it).

Python's regular expressions walk some 100 MB of XML a second, and a 1.4 M-row roster is
over 1 GB of it; this kernel walks it at memory speed and writes every cell's text, shared
strings resolved, into one buffer that Python decodes and splits in one call each, so that a
row of text cells becomes a list slice and only numbers, dates and the rare forms are
converted cell by cell (see :func:`tokenize`). :data:`FLAG_OTHER` marks the whole content
of a cell written another way (a formula, rich text, whitespace between elements), for the
caller to parse; :data:`FLAG_ESCAPE` text holding ``&`` or ``_`` (an entity or an
``_xHHHH_`` escape, perhaps).
"""

# ruff: noqa: SIM109, SIM110  (plain comparisons and loops: what numba compiles best)
from __future__ import annotations

import numba
import numpy as np

NUMBER, SHARED, INLINE, STR, BOOL, ERROR, DATE, OTHER_TYPE, SERIAL_DATE, SERIAL_DURATION = range(10)
FLAG_ESCAPE = 1
FLAG_OTHER = 2

_LT, _GT, _SLASH, _QUOTE, _APOS, _EQ = 60, 62, 47, 34, 39, 61
_AMP, _UNDERSCORE = 38, 95


def _word(text: bytes) -> np.ndarray:
    return np.frombuffer(text, dtype=np.uint8).copy()


# Global arrays are constants to numba.
_END_V_C = _word(b"</v></c>")
_END_T_C = _word(b"</t></is></c>")
_OPEN_IS_T = _word(b"<is><t")
_OPEN_V = _word(b"<v>")
_END_C = _word(b"</c>")


@numba.njit(cache=True, nogil=True)
def _space(b: int) -> bool:
    return b == 32 or b == 9 or b == 10 or b == 13


@numba.njit(cache=True, nogil=True)
def _starts(buf, at, word) -> bool:  # type: ignore[no-untyped-def]
    n = buf.shape[0]
    if at + word.shape[0] > n:
        return False
    for k in range(word.shape[0]):
        if buf[at + k] != word[k]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _type_code(buf, a, b) -> int:  # type: ignore[no-untyped-def]
    size = b - a
    if size == 1:
        c = buf[a]
        if c == 115:  # s
            return SHARED
        if c == 110:  # n
            return NUMBER
        if c == 98:  # b
            return BOOL
        if c == 101:  # e
            return ERROR
        if c == 100:  # d
            return DATE
        return OTHER_TYPE
    if size == 9 and buf[a] == 105 and buf[a + 6] == 83:  # inlineStr
        return INLINE
    if size == 3 and buf[a] == 115 and buf[a + 1] == 116 and buf[a + 2] == 114:  # str
        return STR
    return OTHER_TYPE


@numba.njit(cache=True, nogil=True)
def _find(buf, at, word) -> int:  # type: ignore[no-untyped-def]
    n = buf.shape[0]
    first = word[0]
    while at < n:
        if buf[at] == first and _starts(buf, at, word):
            return at
        at += 1
    return -1


@numba.njit(cache=True, nogil=True)
def tokenize(  # type: ignore[no-untyped-def]
    buf, row_before, dates, durations, sst, sst_ends, text_out, cols_out, rows_out, specials
):
    """Find the cells of ``buf`` (uint8, UTF-8 sheet XML cut at a row's end).

    Each cell's text — the ``<v>`` or inline ``<t>`` text, a shared string (copied from
    ``sst``, the table's UTF-8 bytes, string ``i`` from ``sst_ends[i]`` to
    ``sst_ends[i + 1]``), the whole content of a cell written another way — goes to
    ``text_out``, the cells separated by a NUL byte (which XML cannot hold), so that Python
    splits them in one call. ``cols_out[k]`` is cell ``k``'s 0-based column (a cell without
    ``r`` takes the place after the one before); ``rows_out`` rows are ``(row number, first
    cell, cells, dense)`` — dense when the cells are columns 0, 1, 2 … in order; ``specials``
    rows are ``(cell, type | flags << 4)`` for every cell whose text is not yet its value (a
    number, a date, a boolean, an escape, another form). A number cell whose style ``s`` has
    ``dates[s]`` (``durations[s]``) set gets the type :data:`SERIAL_DATE`
    (:data:`SERIAL_DURATION`).

    Returns ``(full, cells, rows, specials, text bytes, last row number)``; ``full`` when
    ``text_out`` was too small (call again with a larger one)."""
    n = buf.shape[0]
    end_v_c, end_t_c, open_is_t, open_v, end_c = _END_V_C, _END_T_C, _OPEN_IS_T, _OPEN_V, _END_C
    row = row_before
    last_col = -1
    m = 0
    nr = 0
    ns = 0
    t = 0
    cap = text_out.shape[0]
    strings = sst_ends.shape[0] - 1
    current = -1
    i = 0
    while i < n:
        if buf[i] != _LT:
            i += 1
            continue
        if i + 4 >= n:
            break
        c1 = buf[i + 1]
        if c1 == 114 and buf[i + 2] == 111 and buf[i + 3] == 119:  # <row
            after = buf[i + 4]
            if not (_space(after) or after == _GT or after == _SLASH):
                i += 1
                continue
            j = i + 4
            number = -1
            while j < n and buf[j] != _GT:
                if buf[j] == 114 and _space(buf[j - 1]):  # r=" after a space
                    k = j + 1
                    while k < n and _space(buf[k]):
                        k += 1
                    if k < n and buf[k] == _EQ:
                        k += 1
                        while k < n and _space(buf[k]):
                            k += 1
                        if k < n and (buf[k] == _QUOTE or buf[k] == _APOS):
                            k += 1
                            number = 0
                            while k < n and 48 <= buf[k] <= 57:
                                number = number * 10 + buf[k] - 48
                                k += 1
                            j = k
                            continue
                j += 1
            row = number if number > 0 else row + 1
            last_col = -1
            i = j + 1
            continue
        if c1 != 99:  # not <c
            i += 1
            continue
        after = buf[i + 2]
        if not (_space(after) or after == _GT or after == _SLASH):
            i += 1
            continue
        # the cell's attributes
        col = -1
        kind = NUMBER
        style = -1
        j = i + 2
        closed = False
        while j < n:
            b = buf[j]
            if b == _GT:
                closed = buf[j - 1] == _SLASH
                break
            if _space(b) or b == _SLASH:
                j += 1
                continue
            name_at = j
            while j < n and buf[j] != _EQ and buf[j] != _GT and not _space(buf[j]):
                j += 1
            name_len = j - name_at
            while j < n and (_space(buf[j]) or buf[j] == _EQ):
                j += 1
            if j >= n or (buf[j] != _QUOTE and buf[j] != _APOS):
                continue
            quote = buf[j]
            a = j + 1
            j = a
            while j < n and buf[j] != quote:
                j += 1
            if name_len == 1:
                name = buf[name_at]
                if name == 114:  # r
                    col = 0
                    k = a
                    while k < j and 65 <= buf[k] <= 90:
                        col = col * 26 + buf[k] - 64
                        k += 1
                    col -= 1
                elif name == 115:  # s
                    style = 0
                    for k in range(a, j):
                        style = style * 10 + buf[k] - 48
                elif name == 116:  # t
                    kind = _type_code(buf, a, j)
            j += 1
        if j >= n:
            break
        if closed:  # an empty cell: it still takes its place
            last_col = col if col >= 0 else last_col + 1
            i = j + 1
            continue
        j += 1  # past '>'
        flags = 0
        start = -1
        stop = -1
        if _starts(buf, j, open_v):
            a = j + 3
            k = a
            while k < n and buf[k] != _LT:
                if buf[k] == _AMP or buf[k] == _UNDERSCORE:
                    flags = FLAG_ESCAPE
                k += 1
            if _starts(buf, k, end_v_c):
                start, stop = a, k
                i = k + 8
        elif _starts(buf, j, open_is_t) and j + 6 < n and (_space(buf[j + 6]) or buf[j + 6] == _GT):
            k = j + 6
            while k < n and buf[k] != _GT:
                k += 1
            if k < n and buf[k - 1] != _SLASH:
                a = k + 1
                k = a
                while k < n and buf[k] != _LT:
                    if buf[k] == _AMP or buf[k] == _UNDERSCORE:
                        flags = FLAG_ESCAPE
                    k += 1
                if _starts(buf, k, end_t_c):
                    start, stop = a, k
                    i = k + 13
        if start < 0:
            k = _find(buf, j, end_c)
            if k < 0:
                break
            if k == j:  # <c ...></c>
                last_col = col if col >= 0 else last_col + 1
                i = k + 4
                continue
            start, stop, flags = j, k, FLAG_OTHER
            i = k + 4
        if col < 0:
            col = last_col + 1
        last_col = col
        if kind == NUMBER and 0 <= style < dates.shape[0]:
            if dates[style]:
                kind = SERIAL_DATE
            elif durations[style]:
                kind = SERIAL_DURATION
        if row != current:
            rows_out[nr, 0] = row
            rows_out[nr, 1] = m
            rows_out[nr, 2] = 0
            rows_out[nr, 3] = 1
            nr += 1
            current = row
        if col != rows_out[nr - 1, 2]:
            rows_out[nr - 1, 3] = 0
        rows_out[nr - 1, 2] += 1
        cols_out[m] = col
        if m > 0:
            if t >= cap:
                return True, m, nr, ns, t, row
            text_out[t] = 0
            t += 1
        copy_from = buf
        a = start
        b = stop
        special = flags != 0 or (kind != INLINE and kind != STR)
        if kind == SHARED and flags == 0:
            index = 0
            digits = stop > start
            for k in range(start, stop):
                if 48 <= buf[k] <= 57:
                    index = index * 10 + buf[k] - 48
                else:
                    digits = False
            if digits and index < strings:
                special = False
                copy_from = sst
                a = sst_ends[index]
                b = sst_ends[index + 1]
        if t + (b - a) > cap:
            return True, m, nr, ns, t, row
        for k in range(a, b):
            text_out[t] = copy_from[k]
            t += 1
        if special:
            specials[ns, 0] = m
            specials[ns, 1] = kind | (flags << 4)
            ns += 1
        m += 1
    return False, m, nr, ns, t, row
