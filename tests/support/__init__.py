"""What the tests share: the fake Bot API, running assistants, seeded stores, services."""
