"""Equality of X.509 names with a fast path for identical encodings, installed into asn1crypto.

asn1crypto compares two names as RFC 5280 (7.1) says: every attribute value through LDAP
string preparation (case folding, whitespace, Unicode mapping), each time, in Python. pyHanko
compares the signer's issuer that way several times per validated signature, which took about
a quarter of checking a freshly signed document. Two names with the same DER encoding are the
same name, so those are answered at once; any other pair goes to asn1crypto's own comparison.
A test checks the answers against asn1crypto's on equal, equivalent and different names.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import x509

_ORIGINAL = x509.Name.__eq__


def name_equal(self: x509.Name, other: Any) -> bool:
    if isinstance(other, x509.Name) and self.dump() == other.dump():
        return True
    return _ORIGINAL(self, other)


def install() -> None:
    x509.Name.__eq__ = name_equal  # type: ignore[method-assign,assignment]
