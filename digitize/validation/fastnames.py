"""Equality of X.509 names with a fast path for identical encodings, installed into asn1crypto.

asn1crypto compares two names as RFC 5280 (7.1) says: every attribute value through LDAP
string preparation (case folding, whitespace, Unicode mapping), each time, in Python. pyHanko
compares the signer's issuer that way several times per validated signature, which took about
a quarter of checking a freshly signed document. Two names with the same DER encoding are the
same name, so those are answered at once. Other pairs compare asn1crypto's own `hashable` form
of each name (built from the same prepared values its comparison uses), kept per encoding: a
batch meets the same few names again and again; `hashable` itself, by which the certificate
validator files and finds certificates, is kept the same way. A test checks the answers
against asn1crypto's on equal, equivalent and different names.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import x509

_ORIGINAL = x509.Name.__eq__
_HASHABLE = x509.Name.hashable.fget  # asn1crypto's own, uncached


_PREPARED: dict[bytes, str] = {}


def _prepared(name: x509.Name, der: bytes) -> str:
    """The name's `hashable`, computed from the object (a name inside a GeneralName is
    encoded with that choice's tag, so its bytes do not parse as a Name on their own)."""
    found = _PREPARED.get(der)
    if found is None:
        if len(_PREPARED) > 4096:
            _PREPARED.clear()
        found = _PREPARED[der] = _HASHABLE(name)
    return found


def cached_hashable(self: x509.Name) -> str:
    """`hashable`, kept per encoding: the certificate validator keys its registries by it."""
    return _prepared(self, self.dump())


def name_equal(self: x509.Name, other: Any) -> bool:
    if not isinstance(other, x509.Name):
        return False
    a, b = self.dump(), other.dump()
    return a == b or _prepared(self, a) == _prepared(other, b)


def install() -> None:
    x509.Name.__eq__ = name_equal  # type: ignore[method-assign,assignment]
    x509.Name.hashable = property(cached_hashable)  # type: ignore[method-assign,assignment]
