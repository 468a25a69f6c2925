"""The index of digitized documents: what `run` adds, `find` searches, `reuse` takes from and
`forget` removes a person from; a local SQLite (FTS5) file, or the province's shared index on
PostgreSQL."""
