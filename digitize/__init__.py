"""digitize: paper dossiers from Vietnamese one-stop desks to signed TT 05/2025 packages."""

__version__ = "0.1.0"
