"""The satisfaction survey after a case closes: its state in the store, reading answers, its wording."""
