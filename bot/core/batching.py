"""Detection for an asyncio program (the bot): the model never runs on the event loop.

Rules cost microseconds and run inline. A message that the learned model has to
read (the conversation names kratom, and the server uses ``rules+model``) waits
at most ``window`` seconds for others to join it, and then the whole batch is
scored in one worker thread. One thread, so that onnxruntime (capped at one
thread itself) leaves the other core to the gateway.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.core.hybrid import HybridEngine
from bot.core.models import Conversation, Finding

BATCH_WINDOW_SECONDS = 0.010
MAX_BATCH = 16


@dataclass(frozen=True)
class _Request:
    text: str
    conversation: Conversation
    disabled_claims: frozenset[str]
    disabled_rules: frozenset[str]
    future: asyncio.Future


class BatchedDetector:
    def __init__(
        self, hybrid: HybridEngine, *, window: float = BATCH_WINDOW_SECONDS, max_batch: int = MAX_BATCH
    ) -> None:
        self.hybrid = hybrid
        self.rules = hybrid.engine
        self.window = window
        self.max_batch = max_batch
        self._pending: list[_Request] = []
        self._flush_task: asyncio.Task | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimcheck-model")
        self.batches = 0  # batches scored so far, for tests and metrics
        self.worker_cpu_seconds = 0.0  # CPU the worker thread has spent scoring (bench/bench_bot.py reads it)

    async def detect(
        self,
        text: str,
        conversation: Conversation,
        *,
        use_model: bool,
        disabled_claims: frozenset[str] = frozenset(),
        disabled_rules: frozenset[str] = frozenset(),
    ) -> list[Finding]:
        if not use_model or not self.rules.names_kratom(text, conversation):
            return self.rules.detect(text, conversation, disabled_claims=disabled_claims, disabled_rules=disabled_rules)
        future = asyncio.get_running_loop().create_future()
        self._pending.append(_Request(text, conversation, frozenset(disabled_claims), frozenset(disabled_rules), future))
        if len(self._pending) >= self.max_batch:
            self._start_flush(delay=0.0)
        elif self._flush_task is None:
            self._start_flush(delay=self.window)
        return await future

    def _start_flush(self, *, delay: float) -> None:
        # ``_flush_task`` is only ever a flush still waiting out its window (it lets go
        # of the batch before it awaits the worker), so cancelling it loses nothing.
        if self._flush_task is not None:
            self._flush_task.cancel()
        self._flush_task = asyncio.get_running_loop().create_task(self._flush(delay), name="claimcheck-model-batch")

    async def _flush(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        batch, self._pending = self._pending, []
        self._flush_task = None
        if not batch:
            return
        self.batches += 1
        loop = asyncio.get_running_loop()
        try:
            results = await loop.run_in_executor(self._worker, self._score, batch)
        except Exception as exc:  # the model failed: the messages must not hang
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(exc)
            return
        for request, findings in zip(batch, results):
            if not request.future.done():
                request.future.set_result(findings)

    def _score(self, batch: Sequence[_Request]) -> list[list[Finding]]:
        """In the worker thread, grouped by server settings (disabled claims and rules)."""
        started = time.thread_time()
        try:
            return self._score_groups(batch)
        finally:
            self.worker_cpu_seconds += time.thread_time() - started

    def _score_groups(self, batch: Sequence[_Request]) -> list[list[Finding]]:
        groups: dict[tuple[frozenset[str], frozenset[str]], list[int]] = {}
        for index, request in enumerate(batch):
            groups.setdefault((request.disabled_claims, request.disabled_rules), []).append(index)
        results: dict[int, list[Finding]] = {}
        for (claims, rules), indices in groups.items():
            found = self.hybrid.detect_many(
                [(batch[i].text, batch[i].conversation) for i in indices], disabled_claims=claims, disabled_rules=rules
            )
            results.update(zip(indices, found))
        return [results[index] for index in range(len(batch))]

    async def run_in_worker(self, function, *args):
        """Run other model work (an explanation) in the same worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, function, *args)

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
