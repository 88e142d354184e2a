"""Scheduled jobs: each reads only what is due, through the sparse ``timers`` index."""
