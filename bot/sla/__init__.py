"""Watching deadlines: the due dates each case crosses, and the alerts to agents and supervisors."""
