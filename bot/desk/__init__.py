"""The agents' desk in the Telegram agents' group: commands, the relay, case threads and survey buttons."""
