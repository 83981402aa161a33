"""The churn API on the standard library's HTTP server (threaded).

    MODEL_PATH=params PORT=8000 python -m scoring.server

GET /health, GET /metadata, POST /predict {"records": [...]}. Records are validated by
hand: a missing feature, a wrong type or a body that is not JSON is a 400 with a message.
"""

from __future__ import annotations

import json
import math
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from scoring.model import NUMERIC, ONE_HOT, SEGMENT, ChurnModel

MODEL_PATH = Path(os.environ.get("MODEL_PATH", "params"))
MODEL = ChurnModel(MODEL_PATH / "churn_glm.json")
MAX_RECORDS = 5000
MAX_BODY = 8 * 1024 * 1024


def problems(records: Any) -> list[str]:
    if not isinstance(records, list):
        return ['expected {"records": [...]}']
    if len(records) > MAX_RECORDS:
        return [f"at most {MAX_RECORDS} records per request"]
    found = []
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            found.append(f"records[{i}] must be an object")
            continue
        for name in NUMERIC:
            if name not in record:
                found.append(f"records[{i}].{name} is missing")
            elif record[name] is not None and (
                    isinstance(record[name], bool) or not isinstance(record[name], int | float)
                    or not math.isfinite(record[name])):
                found.append(f"records[{i}].{name} must be a number or null")
        for name in [SEGMENT, *ONE_HOT]:
            if name not in record:
                found.append(f"records[{i}].{name} is missing")
            elif record[name] is not None and not isinstance(record[name], str):
                found.append(f"records[{i}].{name} must be a string or null")
    return found


class Handler(BaseHTTPRequestHandler):
    server_version = "churn/1.0"

    def reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/health":
            self.reply(200, {"status": "ok"})
        elif self.path == "/metadata":
            spec = MODEL.spec
            self.reply(200, {"model_version": spec["model_version"],
                             "features": [*NUMERIC, SEGMENT, *ONE_HOT],
                             "segments": sorted(spec["segments"]),
                             "threshold": spec["threshold"]})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != "/predict":
            self.reply(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.reply(413, {"error": "body too large"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            self.reply(400, {"error": "body is not JSON"})
            return
        records = body.get("records") if isinstance(body, dict) else None
        errors = problems(records)
        if errors:
            self.reply(400, {"error": "invalid request", "details": errors[:20]})
            return
        scores = MODEL.score(records)
        self.reply(200, {"predictions": [{"probability": round(p, 6),
                                          "label": int(p >= MODEL.threshold)}
                                         for p in scores]})

    def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per request
        pass


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), port), Handler)
    print(f"listening on 0.0.0.0:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
