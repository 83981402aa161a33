"""Reports: the versioned JSON document (`model`) and its renderings (`markdown`, `html`,
`gradescope`)."""

from grader.report.gradescope import to_gradescope
from grader.report.html import render_html
from grader.report.markdown import render_markdown
from grader.report.model import SCHEMA_VERSION, Report, load_report, rejected_report

__all__ = ["SCHEMA_VERSION", "Report", "load_report", "rejected_report", "render_html",
           "render_markdown", "to_gradescope"]
