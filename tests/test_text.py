"""parity.text.shorten, the one way the engine cuts text for display (messages, console lines,
report cells, a log's tail)."""

from __future__ import annotations

import doctest

import pytest

from parity import text
from parity.contract.schema_check import schema_errors
from parity.text import shorten


def test_examples():
    result = doctest.testmod(text)
    assert result.attempted and not result.failed


@pytest.mark.parametrize("limit", [4, 5, 17, 60])
@pytest.mark.parametrize("keep", ["start", "end"])
def test_never_longer_than_the_limit_and_marked_when_cut(limit, keep):
    long = "x" * 30 + "\n" + "y" * 40
    got = shorten(long, limit, keep=keep)
    assert len(got) == limit
    assert got.startswith("...") if keep == "end" else got.endswith("...")
    assert shorten("short", limit + 5, keep=keep) == "short"


def test_one_line_or_as_written():
    assert shorten("a\n  b\tc", 20) == "a b c"
    assert shorten("a\n  b", 20, one_line=False) == "a\n  b"


@pytest.mark.parametrize("kwargs,message", [({"limit": 3}, "limit=3"), ({"limit": 10, "keep": "middle"},
                                                                        "keep='middle'")])
def test_bad_options_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shorten("text", **kwargs)


def test_a_long_value_in_a_schema_error_is_shortened():
    (path, message), = schema_errors({"a": "z" * 200}, {"properties": {"a": {"type": "integer"}}})
    assert path == "a" and "z" * 56 + "..." in message and "z" * 58 not in message
