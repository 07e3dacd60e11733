"""Helpers for tests that run ``claimcheck run`` as a real process."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

CLAIMCHECK = str(Path(sys.executable).with_name("claimcheck"))


async def run_claimcheck(env_overrides: dict, cwd: Path) -> asyncio.subprocess.Process:
    """``claimcheck run`` with only ``env_overrides`` of the DISCORD_ and CLAIMCHECK_ variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "CLAIMCHECK_"))}
    env.update(env_overrides)
    return await asyncio.create_subprocess_exec(
        CLAIMCHECK, "run", cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def http_get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


def metric(metrics: str, name: str) -> float:
    """The value of one sample in Prometheus text, e.g. ``claimcheck_replies_sent_total``."""
    line = next(line for line in metrics.splitlines() if line.startswith((name + " ", name + "{")))
    return float(line.rsplit(" ", 1)[1])
