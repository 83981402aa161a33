"""The store's schema: Django models and their migrations (app label `grader`), the connection
set-up that lets the command line and the web service use the same database
(`connection`), where it lives (`location`) and the one-time import of a store written before
the ORM (`legacy`). `grader.store.Store` is the public face the pipeline and the CLI use; the
web pages and the job queue (grader/jobs/) use the models directly.
"""
