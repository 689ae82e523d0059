"""OpDesk: a help desk whose regulations are executable and explain themselves."""

from __future__ import annotations

__version__ = "0.1.0"
