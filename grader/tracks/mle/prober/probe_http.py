"""HTTP to a candidate's model server, bounded in every way the server could abuse (standard
library only; copied into the prober's container beside probe.py, never where candidate code
runs).

- Time: every request has a deadline, enforced on each read and write of the socket (a
  server that answers one byte a second is cut at it, not merely when a byte is late); once
  STALLS requests in a row ran past theirs, no more are sent and `Server.gave_up` says why;
  and all requests together have a budget (`Server.start_budget`).
- Size: a body is read up to its cap (/health and /metadata 64 KiB; /predict 64 KiB plus
  1 KiB per record sent) and the connection dropped when more was coming.
- Depth: JSON is parsed with json's recursion limit caught and the result's nesting checked
  iteratively (MAX_DEPTH): an answer too big or too deep is that answer's problem, named
  ("the /metadata answer nests deeper than 32 levels"), never the prober's crash.
"""

from __future__ import annotations

import http.client
import io
import json
import math
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_DEPTH = 32                  # JSON nesting accepted in an answer (predictions need 3)
SMALL_CAP = 64 * 1024           # /health, /metadata and the fixed part of a /predict answer
PER_RECORD_CAP = 1024           # ... plus this per record sent (a prediction is ~40 bytes)
BODY_CAP = 64 * 1024 * 1024     # never more than this, whatever was sent
EXCERPT = 600
HEALTH_SECONDS = 5.0            # deadline of a /health call
PER_RECORD_SECONDS = 0.01       # a /predict deadline: request_seconds plus this per record ...
MAX_REQUEST_SECONDS = 60.0      # ... up to this
STALLS = 2                      # requests in a row past their deadline: the server is given up
JSON = "application/json"


def kib(n: int) -> str:
    return f"{n // 1024:,} KiB"


@dataclass
class Answer:
    status: int = 0               # 0: no complete HTTP answer
    body: bytes = b""             # at most the cap
    seconds: float = 0.0
    error: str = ""               # why no complete answer came back ("" when one did)
    skipped: bool = False         # never sent: the prober had given up or spent its budget
    late: bool = False            # cut at its deadline
    received: int = 0             # bytes received before it was cut
    over: int = 0                 # the cap the body went past (0: within it)

    def excerpt(self) -> str:
        if not self.status:
            return self.error[:EXCERPT]
        text = self.body[:EXCERPT].decode("utf-8", "replace")
        return text + (f" ... [over {kib(self.over)}]" if self.over else "")


class _Clock:
    """The current request's deadline (time.monotonic) and the bytes it received so far."""

    deadline = math.inf
    received = 0

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline passed")
        return left


class _Raw(io.RawIOBase):
    """The socket's bytes for http.client: every read waits at most until the deadline (a
    server sending one byte a second is cut there, not only when a byte is late)."""

    def __init__(self, owner: _Sock) -> None:
        self.owner, self.sock, self.clock = owner, owner.sock, owner.clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.sock.settimeout(self.clock.left())
        n = self.sock.recv_into(buffer)
        self.clock.received += n
        return n

    def close(self) -> None:
        if not self.closed:
            super().close()
            self.owner.release()


class _Sock:
    """A connected socket as http.client uses it (sendall, makefile, close), on the clock.
    Like socket.makefile, the socket stays open while a reader made from it is: http.client
    closes the connection as soon as an answer says it will close it (HTTP/1.0, or
    `Connection: close`) and reads the body afterwards, from the reader."""

    def __init__(self, sock: socket.socket, clock: _Clock) -> None:
        self.sock, self.clock = sock, clock
        self.readers, self.closing = 0, False

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(self.clock.left())
        self.sock.sendall(data)

    def makefile(self, *args: Any, **kwargs: Any) -> io.BufferedReader:
        self.readers += 1
        return io.BufferedReader(_Raw(self))

    def release(self) -> None:
        self.readers -= 1
        self._close_when_unused()

    def close(self) -> None:
        self.closing = True
        self._close_when_unused()

    def _close_when_unused(self) -> None:
        if self.closing and self.readers <= 0:
            self.sock.close()


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, clock: _Clock) -> None:
        super().__init__(host, port)
        self.clock = clock

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.clock.left())
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = _Sock(sock, self.clock)


class Server:
    """HTTP to the model server: a deadline per request, a budget for all of them, and no
    more requests once STALLS in a row ran past their deadline (`gave_up` says why)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "app", parts.port or 80
        self.clock = _Clock()
        self.conn: _Connection | None = None
        self.stalls = 0
        self.gave_up = ""
        self.budget, self.budget_end = math.inf, math.inf

    def start_budget(self, seconds: float) -> None:
        self.budget, self.budget_end = seconds, time.monotonic() + seconds

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def close(self) -> None:
        """Hang up the connection kept alive between requests."""
        self._drop()

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = JSON, cap: int = SMALL_CAP, seconds: float = 10.0,
                stall: bool = True) -> Answer:
        """One exchange, within `seconds` and the budget; the body read up to `cap` bytes.
        `stall`: a late answer counts towards giving the server up."""
        if self.gave_up:
            return Answer(error=f"not sent: {self.gave_up}", skipped=True)
        budget_left = self.budget_end - time.monotonic()
        if budget_left <= 0:
            return Answer(error=f"not sent: the prober's budget of {self.budget:g} s was "
                                "spent", skipped=True)
        limit = min(seconds, budget_left)
        self.clock.deadline = time.monotonic() + limit
        self.clock.received = 0
        started = time.perf_counter()
        for attempt in (1, 2):  # one retry on a dropped keep-alive connection
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.conn = _Connection(self.host, self.port, self.clock)
                headers = {"Content-Type": content_type} if body is not None else {}
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read(cap + 1)
                if len(data) > cap or not response.isclosed() or \
                        response.getheader("Connection", "").lower() == "close":
                    self._drop()  # what is left unread makes the connection unusable
                self.stalls = 0
                return Answer(status=response.status, body=data[:cap], over=cap if len(
                    data) > cap else 0, seconds=time.perf_counter() - started,
                    received=self.clock.received)
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                if time.monotonic() >= self.clock.deadline:
                    return self._late(method, path, limit, stall, started)
                if attempt == 2 or not reused or self.clock.received:
                    return Answer(error=f"{type(exc).__name__}: {exc}"[:300],
                                  seconds=time.perf_counter() - started,
                                  received=self.clock.received)
        raise AssertionError("unreachable")

    def _late(self, method: str, path: str, limit: float, stall: bool,
              started: float) -> Answer:
        got = self.clock.received
        error = (f"no complete answer to {method} {path} within {limit:g} s "
                 + (f"({got:,} bytes received): the server answers too slowly" if got
                    else "(nothing received)"))
        if stall:
            self.stalls += 1
            if self.stalls >= STALLS and not self.gave_up:
                self.gave_up = (f"the prober gave up on the server after {self.stalls} "
                                f"requests in a row got no complete answer in time (last: "
                                f"{error})")
        return Answer(error=error, late=True, received=got,
                      seconds=time.perf_counter() - started)

    def predict(self, payload: Any, records: int, base_seconds: float) -> Answer:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.request("POST", "/predict", body, cap=predict_cap(records),
                            seconds=predict_seconds(records, base_seconds))


def predict_cap(records: int) -> int:
    return min(BODY_CAP, SMALL_CAP + PER_RECORD_CAP * max(0, records))


def predict_seconds(records: int, base_seconds: float) -> float:
    return min(MAX_REQUEST_SECONDS, base_seconds + PER_RECORD_SECONDS * max(0, records))


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed JSON nests lists/objects more than `limit` levels (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def parse(answer: Answer, what: str = "the answer") -> tuple[Any, str]:
    """(the JSON of a complete answer, "") or (None, why not): larger than its cap, nested
    deeper than MAX_DEPTH (json's own recursion limit caught as well), not JSON."""
    if answer.over:
        return None, f"{what} is larger than {kib(answer.over)}"
    try:
        value = json.loads(answer.body)
    except RecursionError:
        return None, f"{what} nests deeper than {MAX_DEPTH} levels"
    except ValueError:
        return None, f"{what} is not JSON"
    if isinstance(value, dict | list) and too_deep(value):
        return None, f"{what} nests deeper than {MAX_DEPTH} levels"
    return value, ""


def slim(pred: Any) -> Any:
    """A prediction as the host needs it: its probability and label when they are scalars."""
    if not isinstance(pred, dict):
        return type(pred).__name__
    return {k: pred[k] for k in ("probability", "label") if k in pred and (
        pred[k] is None or isinstance(pred[k], bool | int | float | str))}


def predictions_of(answer: Answer) -> tuple[list[Any] | None, str]:
    """The `predictions` list of a 200 answer (slimmed), or None and why not."""
    if answer.status != 200:
        return None, answer.error
    data, problem = parse(answer)
    if problem:
        return None, problem
    preds = data.get("predictions") if isinstance(data, dict) else None
    if not isinstance(preds, list):
        return None, "the answer holds no `predictions` list"
    return [slim(p) for p in preds], ""
