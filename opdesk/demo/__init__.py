"""The demo desk: a realistic Russian help desk generated into a fresh local database.

A data job above the store: it reads the regulation pack and writes a database file it owns.
"""

from opdesk.demo.generate import DemoError, DemoSummary, generate

__all__ = ["DemoError", "DemoSummary", "generate"]
