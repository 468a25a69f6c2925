"""Acquiring pages at the desk: SANE scanners, separator sheets, and splitting a scanned
stack into documents."""
