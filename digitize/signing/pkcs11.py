"""Signing keys on a PKCS#11 token: a USB token of the Government Cipher Committee (ND 68/2024), an
HSM, or SoftHSM2. One session and one login serve the whole batch; the PIN is never logged."""

from __future__ import annotations

import contextlib

from digitize.errors import CredentialError, EnvironmentProblem
from digitize.i18n import _
from digitize.identity import Identity, KeySpec, identity_from, load_certs


def token_labels(module: str) -> list[str]:
    """Labels of the tokens present in the slots of a PKCS#11 module (no login needed)."""
    try:
        import pkcs11
        from pkcs11 import exceptions as p11err
    except ImportError as exc:  # pragma: no cover - a dependency of digitize
        raise EnvironmentProblem(_("python-pkcs11 is missing; reinstall digitize.")) from exc
    try:
        lib = pkcs11.lib(module)
    except (RuntimeError, OSError, p11err.PKCS11Error) as exc:
        raise EnvironmentProblem(_("The PKCS#11 module {module} cannot be loaded ({exc}); "
                                   "install the token's driver or fix [signer] "
                                   "pkcs11_module.").format(
                                     module=module, exc=exc)) from exc
    labels: list[str] = []
    with contextlib.suppress(p11err.PKCS11Error):
        labels = [t for t in (s.get_token().label for s in lib.get_slots(token_present=True)) if t]
    return labels


def open_pkcs11(spec: KeySpec) -> Identity:
    from pkcs11 import exceptions as p11err
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as p11

    module = spec.module or ""
    where = f"token '{spec.token_label}' ({module})"
    labels = token_labels(module)
    if spec.token_label not in labels:
        found = ", ".join(f"'{x}'" for x in labels) or "none"
        raise CredentialError(_("No token labelled '{token_label}' is present (tokens found: "
                                "{found}); plug the token in or fix [signer] token_label.").format(
                                  token_label=spec.token_label, found=found))
    try:
        session = p11.open_pkcs11_session(module, token_criteria=TokenCriteria(
            label=spec.token_label), user_pin=spec.secret.decode())
    except p11err.PinIncorrect as exc:
        raise CredentialError(_("Wrong PIN for {where}; nothing was signed. Check the PIN "
                                "(DIGITIZE_SECRET or the secret file); tokens lock after a few "
                                "wrong tries.").format(where=where)) from exc
    except p11err.PinLocked as exc:
        raise CredentialError(_("The PIN of {where} is locked; unlock it with the token's "
                                "tools.").format(
                                  where=where)) from exc
    except p11err.PKCS11Error as exc:
        raise CredentialError(_("Cannot log in to {where} ({__name__}).").format(
                                  where=where, __name__=type(exc).__name__)) from exc
    chain = []
    for path in spec.chain:
        try:
            chain.extend(load_certs(path))
        except (OSError, ValueError) as exc:
            session.close()
            raise CredentialError(_("Chain file {path} is not a certificate ({exc}); fix "
                                    "[signer] chain.").format(path=path, exc=exc)) from exc
    signer = p11.PKCS11Signer(session, key_label=spec.key_label, key_id=spec.key_id,
                              cert_label=spec.key_label, cert_id=spec.key_id, ca_chain=chain)
    try:
        signer.signing_cert  # noqa: B018 - loads key and certificate now, not mid-batch
    except (p11err.PKCS11Error, Exception) as exc:
        session.close()
        raise CredentialError(_("No key/certificate '{value!r}' on {where} ({exc}); fix [signer] "
                                "key_label or key_id.").format(
                                  value=spec.key_label or spec.key_id, where=where,
                                  exc=exc)) from exc
    try:
        return identity_from(signer, where, spec)
    except CredentialError:
        session.close()
        raise
