"""Helpers for tests that run ``claimcheck run`` as a real process."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
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


async def wait_until_healthy(process: asyncio.subprocess.Process, port: int, timeout: float) -> str | None:
    """Wait for a process's /healthz to answer 200: None then, else why not (it exited, or timed out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.returncode is not None:
            return f"exited with code {process.returncode}"
        try:
            if (await http_get(port, "/healthz"))[0] == 200:
                return None
        except OSError:
            pass  # not listening yet
        await asyncio.sleep(0.1)
    return f"not healthy within {timeout}s"
