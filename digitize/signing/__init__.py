"""Signing stage: signing identities (signer, key sources, PKCS#11, remote CSC), appearances,
PAdES signing (sign), batch signing and renewal. Judging signatures is the validation stage
below it (`digitize.validation`), kept apart as pyHanko keeps `sign/` and `sign/validation/`."""

from digitize.validation import deferred

deferred.install()
