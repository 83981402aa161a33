"""Reports: the versioned JSON document (`model`) and its renderings (`markdown`)."""

from grader.report.markdown import render_markdown
from grader.report.model import SCHEMA_VERSION, Report, load_report, rejected_report

__all__ = ["SCHEMA_VERSION", "Report", "load_report", "rejected_report", "render_markdown"]
