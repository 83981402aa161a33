"""Static facts read on the host without running anything the candidate wrote."""

from grader.analysis.python_facts import PythonFacts, python_facts, static_checks

__all__ = ["PythonFacts", "python_facts", "static_checks"]
