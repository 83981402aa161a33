"""The reviewer's and the candidate's pages of `grader serve` (docs/service.md, "The pages").
One module per job:

- `openings`: the openings list (home), the form creating one, an opening's page (invites,
  cohort table) and its live status JSON; `cohort`: the table's rows as data
- `invites`: add an invite (its link shown once), revoke one
- `candidate`: the candidate's page by token: instructions, kit, time left, upload
- `callsheet`: a candidate for the reviewer: the explain-your-code sheet, manual scores,
  the decision; `scoring`: the total with the call's points (pure)
- `reports`: the report page under a strict CSP, its artifacts by exact name
- `compare`: 2-5 candidates side by side, similarity pairs; `actions`: regrade
- `exports`: summary.csv and the Gradescope results
- `login`: the rate-limited login; `errors`: refusals in plain words
- `lookup` (what the pages read), `catalog` (the challenges), `forms`, `csp`, `markdown`
"""
