"""The hiring web service (`grader serve`): a Django project over the store's schema
(grader/db/). `settings` (everything from the environment), `urls`, `wsgi`, `views` (the
minimal pages: login/logout, the reviewer's openings, the candidate's invite page and kit
download), `admin` (users, openings, invites, jobs), `server` (waitress plus the embedded
job worker pool) and `users` (`grader users add`). docs/service.md describes it.
"""
