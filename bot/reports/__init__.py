"""Reports computed from the case store, for operators: `python -m bot report …`."""
