"""`digitize serve`: the desk's web interface, on the same library as the CLI."""
