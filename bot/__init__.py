"""Atención virtual: channel, workers, CLI and the case store shared by every process."""
