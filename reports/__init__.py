"""Risk reports: the screening result document written as Excel, CSV and JSON.

Every writer takes the document of ``ScreeningOutcome.document()`` (a plain
JSON-ready mapping), so reports can be written from a stored run as well as a
fresh one. The layout is data, in :mod:`reports.columns`.
"""

from reports.excel import write_report
from reports.exports import to_json, write_flags_csv, write_json

__all__ = ["to_json", "write_flags_csv", "write_json", "write_report"]
