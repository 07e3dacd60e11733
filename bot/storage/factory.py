"""One place that turns ``CLAIMCHECK_DATABASE`` into a storage backend."""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import Storage

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")
DATABASE_FORMS = "a file path, sqlite:///path/to/file.db, or postgresql://user:password@host:5432/database"


def check_database_url(value: str) -> str:
    """``value`` if it names a database ClaimCheck can use; else ValueError saying what can."""
    value = value.strip()
    if not value:
        raise ValueError(f"is empty; give {DATABASE_FORMS}")
    scheme, separator, rest = value.partition("://")
    if not separator:
        return value  # a path
    if scheme in POSTGRES_SCHEMES:
        if not rest.split("/", 1)[0]:
            raise ValueError("a postgresql:// URL needs a host, e.g. postgresql://claimcheck:secret@db:5432/claimcheck")
        return value
    if scheme == "sqlite":
        if not value.startswith(SQLITE_PREFIX) or value == SQLITE_PREFIX:
            raise ValueError("a sqlite URL is sqlite:///relative/file.db or sqlite:////absolute/file.db")
        return value
    raise ValueError(f"unsupported database scheme {scheme}://; give {DATABASE_FORMS}")


def storage_for(url: str) -> Storage:
    """The backend for a checked database URL or path (not yet opened)."""
    url = check_database_url(url)
    # Imported here: a command that never opens a database (check, scan) need not load the drivers.
    if url.partition("://")[0] in POSTGRES_SCHEMES:
        from bot.storage.postgres import PostgresStorage

        return PostgresStorage(url)
    from bot.storage.sqlite import SQLiteStorage

    return SQLiteStorage(Path(url.removeprefix(SQLITE_PREFIX)))
