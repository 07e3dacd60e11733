"""Settings that need parsing: CLAIMCHECK_SHARD_IDS."""

from __future__ import annotations

import pytest

from bot.settings import parse_shard_ids


@pytest.mark.parametrize(("value", "shards"), [("0-3", [0, 1, 2, 3]), ("4,5", [4, 5]), ("0-1, 4", [0, 1, 4]), ("2", [2])])
def test_shard_ranges(value, shards):
    assert parse_shard_ids(value) == shards


@pytest.mark.parametrize(("value", "expected"), [("a-b", "not a shard range"), ("3-1", "runs backwards"), ("", "not a shard range")])
def test_bad_shard_ranges_say_how_to_write_them(value, expected):
    with pytest.raises(ValueError, match=expected):
        parse_shard_ids(value)
