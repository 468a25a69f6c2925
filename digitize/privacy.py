"""Citizens' personal data (Decree 13/2023/NĐ-CP) kept out of logs, progress and `--json`:
CCCD/CMND numbers, phone numbers and birth dates are masked unless the user asks to see them.

Masking is a printing concern: outputs on disk (packages, per-document JSON, the index) keep
the real values, since the archive needs them.
"""

from __future__ import annotations

import re
from typing import Any

# Metadata keys that hold personal data whole.
PERSONAL_KEYS = frozenset({"id_number", "phone", "birth_date"})

# A CCCD (12 digits) or old CMND (9 digits) standing alone: not part of a longer number, a
# checksum in hex or a dotted agency code.
_ID = re.compile(r"(?<![\w.\-/])(\d{12}|\d{9})(?![\w\-/]|\.\d)")
# Vietnamese phone numbers: 0 or +84 then 9 digits, written together or in groups.
_PHONE = re.compile(r"(?<![\w.+])(?:\+84|0)(?:[ .]?\d){9}(?!\w|\.\d)")
# A birth date where the text says it is one ("sinh ngày 05/01/1990", "Ngày sinh: ...").
_BIRTH = re.compile(r"(?i)(sinh(?:\s+ngày)?\s*[:.]?\s*)(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*"
                    r"\d{4}|\d{4}-\d{2}-\d{2})")


def _keep_tail(value: str, keep: int = 3) -> str:
    digits = sum(ch.isdigit() for ch in value)
    seen = 0
    masked = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            masked.append(ch if seen > digits - keep else "*")
        else:
            masked.append(ch)
    return "".join(masked)


def mask_text(text: str) -> str:
    """`text` with ID numbers and phone numbers reduced to their last 3 digits, and labelled
    birth dates hidden."""
    text = _BIRTH.sub(lambda m: m.group(1) + re.sub(r"\d", "*", m.group(2)), text)
    text = _PHONE.sub(lambda m: _keep_tail(m.group(0)), text)
    return _ID.sub(lambda m: _keep_tail(m.group(0)), text)


def mask_value(key: str, value: Any) -> Any:
    """A metadata value as it may be shown: personal keys masked whole."""
    if key in PERSONAL_KEYS and isinstance(value, str) and value:
        return re.sub(r"\d", "*", value) if key == "birth_date" else _keep_tail(value)
    return mask_data(value)


def mask_data(data: Any) -> Any:
    """A copy of JSON-like data with personal values masked wherever they appear."""
    if isinstance(data, str):
        return mask_text(data)
    if isinstance(data, dict):
        return {k: mask_value(k, v) if isinstance(k, str) else mask_data(v)
                for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [mask_data(v) for v in data]
    return data
