"""The supervisors' web console: `python -m bot console` (reports, case list, case pages)."""
