"""OCR stage: load scanned pages, make them upright, recognise them with Tesseract, and write one
PDF per document with the page images and an invisible text layer."""

from digitize.ocr.assemble import assemble_pdf
from digitize.ocr.page import PageTask, PreparedPage, prepare_page, text_page

__all__ = ["PageTask", "PreparedPage", "assemble_pdf", "prepare_page", "text_page"]
