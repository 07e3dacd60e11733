"""Logging for the bot: text or JSON lines, and one line per reconnect attempt.

discord.py logs each failed gateway connection with a full traceback; an
operator needs one line that says what could not be reached, so those records
are shortened here. Tracebacks of real bugs (errors in event handlers) stay.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

import aiohttp

# Extra fields a record may carry (``log.info(..., extra={...})``), shown in JSON output.
CONTEXT_FIELDS = ("guild_id", "channel_id", "shard_id", "claim_ids", "rule_ids", "message_text")
_RECONNECT_MESSAGES = ("Attempting a reconnect", "Failed to connect for shard_id")


def describe_connection_error(exc: BaseException) -> str:
    """What went wrong connecting, in words: which address, and why."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"the name {exc.host} could not be resolved (DNS)"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {exc.host}:{exc.port} was not accepted ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        return f"the TLS handshake with {exc.host}:{exc.port} failed ({exc.os_error})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"the connection to {exc.host}:{exc.port} failed ({os_reason(exc.os_error)})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def os_reason(exc: OSError) -> str:
    """'Connection refused' rather than asyncio's "Connect call failed ('127.0.0.1', 1)"."""
    return os.strerror(exc.errno) if exc.errno else str(exc) or "timed out"


class OneLineReconnects(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith(_RECONNECT_MESSAGES):
            record.msg = f"{record.getMessage()}: {describe_connection_error(record.exc_info[1])}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            if getattr(record, name, None) is not None:
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(OneLineReconnects())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
