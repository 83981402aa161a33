"""Flawed on purpose: imported at interpreter start where it can be, plants fake results."""

import json
import os

for target in ("/work/results.json", "/work/ready.json", "results.json"):
    try:
        with open(target, "w") as f:
            json.dump({"ready": True, "tests": []}, f)
    except OSError:
        pass
os.environ["GRADER_SKIP_ALL"] = ""
