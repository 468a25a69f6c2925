"""Extraction stage: classify a document and read its metadata from OCR text and layout."""

from digitize.extract.fields import extract
from digitize.extract.layout import Segment, segments_from_text, segments_from_words

__all__ = ["Segment", "extract", "segments_from_text", "segments_from_words"]
