"""Write the report's JSON schema (generated from grader/report/model.py) to
grader/schemas/report.schema.json: `python -m grader.report.schema`."""

from __future__ import annotations

import json
from pathlib import Path

from grader.report.model import report_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json"


def main() -> None:
    SCHEMA_FILE.write_text(json.dumps(report_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
