"""grader: a take-home assessment runner and autograder for Python specialists.

The data flow (see docs/architecture.md): intake -> challenge -> track (drives the sandbox)
-> analysis -> rubric -> report. `grader.cli` is the thin command-line layer over it.
"""

__version__ = "0.1.0"
