"""CLAIMCHECK_DATABASE forms, and the migrations each dialect carries."""

from __future__ import annotations

import pytest

from bot.storage import PostgresStorage, SQLiteStorage, check_database_url, storage_for
from bot.storage.schema import DIALECTS, migrations


def test_every_dialect_has_the_same_numbered_migrations():
    numbers = {dialect: [m.version for m in migrations(dialect)] for dialect in DIALECTS}
    assert len(set(map(tuple, numbers.values()))) == 1 and numbers["sqlite"][0] == 1


@pytest.mark.parametrize(
    ("value", "backend"),
    [
        ("claimcheck.db", SQLiteStorage),
        ("sqlite:///data/claimcheck.db", SQLiteStorage),
        ("sqlite:////data/claimcheck.db", SQLiteStorage),
        ("postgresql://claimcheck:secret@db:5432/claimcheck", PostgresStorage),
        ("postgres://db/claimcheck", PostgresStorage),
    ],
)
def test_the_factory_picks_the_backend_from_the_url(value, backend):
    assert isinstance(storage_for(value), backend)


def test_sqlite_urls_follow_the_usual_slashes():
    assert str(storage_for("sqlite:///data/c.db")) == "data/c.db"
    assert str(storage_for("sqlite:////data/c.db")) == "/data/c.db"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mysql://db/claimcheck", "unsupported database scheme mysql://"),
        ("postgresql:///claimcheck", "needs a host"),
        ("sqlite://c.db", "sqlite:///relative/file.db"),
        ("  ", "is empty"),
    ],
)
def test_bad_database_urls_say_what_is_allowed(value, expected):
    with pytest.raises(ValueError, match=expected):
        check_database_url(value)

