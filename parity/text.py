"""Text for display, shortened the one way every message and report of the engine does it
(layer 0: standard library only)."""

from __future__ import annotations

__all__ = ["shorten"]

_MARK = "..."


def shorten(text: str, limit: int, *, one_line: bool = True, keep: str = "start") -> str:
    """``text`` in at most ``limit`` characters, for a message, a console line or a report cell.

    Parameters
    ----------
    text : str
        What to show (callers turn a value into text first: ``repr``, JSON, ...).
    limit : int
        The most characters returned (at least 4); a longer text is cut and ``"..."`` marks
        what was left out.
    one_line : bool, default True
        Collapse every run of white space (newlines included) into one space first.
    keep : {"start", "end"}, default "start"
        Which end of a long text to show: its start (a value, a message) or its end (a log's
        tail, where an error is printed last).

    Examples
    --------
    >>> shorten("a  b\\nc", 10)
    'a b c'
    >>> shorten("abcdefghij", 8)
    'abcde...'
    >>> shorten("Error in f():\\n  no such file", 15, keep="end")
    '...no such file'
    """
    if keep not in ("start", "end"):
        raise ValueError(f"keep={keep!r}: expected 'start' or 'end'")
    if not isinstance(limit, int) or limit <= len(_MARK):
        raise ValueError(f"limit={limit!r}: expected an integer above {len(_MARK)}")
    if one_line:
        text = " ".join(text.split())
    if len(text) <= limit:
        return text
    n = limit - len(_MARK)
    return text[:n] + _MARK if keep == "start" else _MARK + text[-n:]
