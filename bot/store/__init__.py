"""The case store: SQLAlchemy models, engines and migrations, the inbox and outbox, and Rasa's
tracker and lock stores."""
