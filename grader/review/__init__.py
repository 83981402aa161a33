"""The reviewer's side of a report: green and red flags, and the explain-your-code sheet.

Both are driven by data: `grader/review/defaults.yaml` (flags and questions every
specialization shares) and an optional `review.yaml` in the challenge (its specialization's
flags and its question bank). `build_review` runs after scoring, on the host, with the
submission's files at hand so each question can point at file:line with a short excerpt.
Nothing here changes a score. Conditions (`when:`) look at what a check observed, not only at
its status: the HTTP status it saw, a number in its evidence (grader/review/conditions.py). A
check that could not run (`not_run`) raises nothing; a green flag needs all its checks.

review.yaml:
    exclude: [no-tests]        # shared flags/questions (defaults.yaml) that do not apply here
    flags:
      - {id: row-loops, kind: red, label: Row-by-row loops in pandas,
         when: {check: static.vectorized, status: failed}}
      - {id: bare-except, kind: red, label: Bare except, when: {lint_rule: E722}}
      - {id: 5xx, kind: red, label: 5xx on bad input,
         when: {check: "http.robustness.*", response: 5xx}}
    questions:
      - {id: failed-test, text: "... {message} ... {where}", max: 2,
         when: {check: "http.*", status: failed, message: "optional words"}}
      - {id: complex, text: "{where} ...", when: {complexity: true}}
      - {id: orm, text: "How many queries ...?"}          # no `when`: from the bank
      - {id: handler, text: "...", where: {route: "POST /predict"}}
"""

from grader.review.build import build_review

__all__ = ["build_review"]
