"""Rasa custom actions. Nothing here may do I/O at import time: the action server
imports every module and instantiates every concrete Action."""
