"""A bounded load run against the local stack (``python -m tests.load``, ``make load``); see run.py."""
