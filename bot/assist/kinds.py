"""The case events of agent assist, for the reports too (which must not import what writes them)."""

SHOWN = "suggestion_shown"
SENT = "suggestion_sent"
EDITED = "suggestion_edited"
IGNORED = "suggestion_ignored"
SETTLED = (SENT, EDITED, IGNORED)
USED = (SENT, EDITED)
