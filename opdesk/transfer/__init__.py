"""Import and export of tickets (JSON Lines, CSV): a data job above the command layer.

Export reads through the store; import checks every row against the regulation pack and then
writes through the services layer's own functions, all or nothing.
"""

from opdesk.transfer.jobs import ImportRefused, export_file, import_file

__all__ = ["ImportRefused", "export_file", "import_file"]
