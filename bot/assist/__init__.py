"""Agent assist: answers suggested to the agent who has a case, in its thread only — the FAQ answers
the NLU ranks highest for the customer's latest messages, and the resolutions (masked) of the most
similar cases already closed and rated well — and what agents do with them."""
