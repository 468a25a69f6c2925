"""Signing stage: signing identities (signer), PAdES signing (sign) and validation (verify),
kept apart as pyHanko keeps them."""

from digitize.signing import deferred

deferred.install()
