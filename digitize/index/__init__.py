"""The local index of digitized documents: what `run` adds, `find` searches, `reuse` takes from
and `forget` removes a person from (SQLite with FTS5)."""
