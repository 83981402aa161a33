"""The hiring service's HTTP API (`/api/v1/`, issue 23 item 6): plain Django views returning
JSON, for an applicant-tracking system or a script. Reviewers authenticate with an API token
(`Authorization: Bearer <token>`, `grader tokens create USER`); a candidate with their
invite's token, which opens only that invite's candidate routes. Session cookies are not
accepted (so no CSRF through the API). Parts: `errors` (JSON errors), `auth` (bearer tokens,
who may call what), `routing` (one view per path, dispatching by method), `body` (request
bodies read within caps), `limits` (rate limits), `tokens` (API tokens: create, list,
revoke), `forms` (input validation), `serialize` (models as JSON), `scores`/`cohort` (a
submission's total with its manual scores, an opening's cohort), the views (`openings`,
`invites`, `candidate`, `submissions`, `account`), `urls`, and `openapi.yaml` (the contract,
served at /api/v1/openapi.yaml and checked against the routes by the tests).
docs/service.md, "The HTTP API", describes it with curl examples.
"""
