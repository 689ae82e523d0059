"""All Qt code of OpDesk lives here; nothing else in the package imports PySide6."""
