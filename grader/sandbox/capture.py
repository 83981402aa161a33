"""Bounded capture of a container's output stream.

A candidate's program may print gigabytes. We keep the first `head` bytes and the last `tail`
bytes, count everything, and say what was cut: memory stays flat whatever the stream size.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CapturedOutput:
    """What was kept of one stream: its head, its tail and how much was dropped between."""

    head: bytes
    tail: bytes
    total_bytes: int

    @property
    def truncated(self) -> bool:
        return self.total_bytes > len(self.head) + len(self.tail)

    @property
    def dropped_bytes(self) -> int:
        return self.total_bytes - len(self.head) - len(self.tail)

    def text(self) -> str:
        """The kept output as text, with a marker saying how many bytes were cut."""
        head = self.head.decode("utf-8", errors="replace")
        if not self.truncated:
            return head + self.tail.decode("utf-8", errors="replace")
        marker = (f"\n[... output truncated by grader: {self.dropped_bytes:,} of "
                  f"{self.total_bytes:,} bytes cut ...]\n")
        return head + marker + self.tail.decode("utf-8", errors="replace")

    def to_evidence(self) -> dict[str, object]:
        return {"text": self.text(), "total_bytes": self.total_bytes,
                "truncated": self.truncated}


class OutputCap:
    """Accumulates a stream in chunks, keeping at most `limit` bytes (3/4 head, 1/4 tail)."""

    def __init__(self, limit: int) -> None:
        self.head_limit = max(1, (limit * 3) // 4)
        self.tail_limit = max(1, limit - self.head_limit)
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.total += len(chunk)
        room = self.head_limit - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
            if not chunk:
                return
        self._tail += chunk
        if len(self._tail) > self.tail_limit:
            del self._tail[: len(self._tail) - self.tail_limit]

    def result(self) -> CapturedOutput:
        return CapturedOutput(head=bytes(self._head), tail=bytes(self._tail),
                              total_bytes=self.total)
