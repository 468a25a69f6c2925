"""The province's administrative procedures (TTHC) as data, and each dossier's documents
matched to the components of its procedure.

- `model`: Catalogue -> Procedure -> Component / ResultSpec (frozen pydantic models)
- `reader`: the CSV/XLSX procedure list into a Catalogue, a bad row refused with its number
- `store`: where the desk's catalogue is kept, written atomically
- `match`: a document's title words against the components' names (folded-token overlap)
- `assign`: a dossier's procedure found, its documents given components, what is missing
"""
