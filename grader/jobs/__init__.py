"""Grading as jobs: the queue's interface (`interface`: enqueue an upload or a stored
submission -> a job id; read a job's state), the state machine on the database every
transport shares (`queue`), grading one claimed job (`runner`), and the embedded in-process
worker pool (`pool`), the default transport. Issue 24's Celery/Redis transport implements
the same interface: it writes the same Job rows and only signals a worker, which claims the
named job (queue.claim(job_id=...)) and acknowledges its message after runner.grade_job
returned (late acknowledgement). docs/service.md describes the states.
"""
