"""Metadata standards: ND 30 / TT 05/2025 code lists, the TT 05/2025 EAD field models, and the
JSON Schemas of digitize's own outputs."""
