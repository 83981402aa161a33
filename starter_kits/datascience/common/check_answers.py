"""Check the *format* of answers.json (never the values): python check_answers.py

The grader reads answers.json after running your notebook top to bottom; this script runs the
same format rules, so a typo in a question id or a string where a number belongs shows up now
rather than in your report.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

# question id -> expected type: "number", "string", "boolean" or a dict of field -> type
FORMAT: dict[str, object] = {
    "q1_march_revenue": "number",
    "q2_business_refund_rate": "number",
    "q3_ab_test": {"conversion_a": "number", "conversion_b": "number", "difference": "number",
                   "p_value": "number", "ship_b": "boolean"},
    "q4_top_category_q2_sql": {"category": "string", "units": "number"},
}


def _type_ok(value: object, kind: str) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str) and bool(value.strip())
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def problems(data: object) -> list[str]:
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if not isinstance(data, dict):
        return ['answers.json must be {"answers": {question: value}}']
    found = []
    for question, kind in FORMAT.items():
        if question not in data:
            found.append(f"{question}: no answer")
        elif isinstance(kind, dict):
            value = data[question]
            if not isinstance(value, dict):
                found.append(f"{question}: expected an object with {', '.join(kind)}")
                continue
            for name, field_kind in kind.items():
                if name not in value:
                    found.append(f"{question}.{name}: missing")
                elif not _type_ok(value[name], str(field_kind)):
                    found.append(f"{question}.{name}: expected a {field_kind}")
        elif not _type_ok(data[question], kind):
            found.append(f"{question}: expected a {kind}")
    found += [f"{extra}: not a question of this challenge" for extra in data
              if extra not in FORMAT]
    return found


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "answers.json")
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        print(f"{path} not found: run the notebook top to bottom first")
        return 1
    except ValueError as exc:
        print(f"{path} is not valid JSON: {exc}")
        return 1
    found = problems(data)
    for line in found:
        print(f"- {line}")
    print("format OK" if not found else f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
