"""Validate the PAdES signatures of a PDF with pyHanko and report, per signature, who signed,
when, whether the bytes are intact, whether the chain reaches a trusted root, and an overall
indication in the ETSI TS 119 102-1 style: valid / invalid / indeterminate."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from asn1crypto import cms, x509
from pydantic import Field
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import CertificateRegistry, SimpleTrustManager

from digitize.clock import VN_TZ
from digitize.errors import EnvironmentProblem
from digitize.i18n import N_, _
from digitize.model import Model
from digitize.pdfcaps import refusal
from digitize.validation import fasthex, fastnames, objstm
from digitize.validation.diffpolicy import DIFF_POLICY
from digitize.validation.fetch import FetchPolicy, GuardedFetcherBackend
from digitize.validation.trust import load_store
from digitize.validation.visual import VisualCheck, page_tree

objstm.install()  # indexed object-stream reads: see objstm

POLICY = N_("pyHanko validation; trust: the configured store and --trust only; revocation: the "
            "validation data embedded in the PDF (DSS) first, then OCSP/CRL online (public "
            "addresses only) unless --offline, soft-fail, reported as not checked or "
            "unavailable when nothing answered for it; changes allowed after signing: form "
            "filling, further "
            "signatures, validation data and document timestamps; anything else is invalid")

fasthex.install()
fastnames.install()
logging.getLogger("pyhanko").setLevel(logging.ERROR)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)

_CHANGES = {
    ModificationLevel.NONE: N_("nothing"),
    ModificationLevel.LTA_UPDATES: N_("validation data and document timestamps (allowed)"),
    ModificationLevel.FORM_FILLING: N_("form filling or further signatures (allowed)"),
    ModificationLevel.ANNOTATIONS: N_("annotations added or changed"),
    ModificationLevel.OTHER: N_("page content or other objects changed"),
}
# A signature dictionary as written (pyHanko, Adobe, others): /Type /Sig, or a /ByteRange.
_SIG_DICT = re.compile(rb"/Type\s*/Sig\b")


class Indication(StrEnum):
    valid = "valid"
    invalid = "invalid"
    indeterminate = "indeterminate"


class SignatureReport(Model):
    field: str
    signer: str = Field("", description="common name")
    signer_subject: str = ""
    organisation: str = ""
    signer_serial: str = ""
    issuer: str = ""
    signing_time: str | None = Field(None, description="claimed by the signer (+07:00)")
    timestamp_time: str | None = Field(None, description="of the signature timestamp")
    timestamp_status: str = Field("", description="valid, invalid, untrusted, or empty")
    intact: bool = False
    crypto_valid: bool = False
    trusted: bool = False
    revocation: str = Field("", description="good (checked: embedded data or OCSP/CRL "
                                            "fetched), revoked, not checked (offline and "
                                            "nothing embedded), unavailable (online, no "
                                            "answer), unknown (chain not trusted)")
    coverage: str = ""
    certification: str = Field("", description="DocMDP permission when this certifies")
    changes_after: str = Field("", description="what later revisions changed")
    visual: str = Field("", description="the visual check of a file changed after signing")
    visual_picture: str = Field("", exclude=True,
                                description="PNG (base64) of the changed regions, for --report")
    level: str = ""
    status: Indication
    sub_indication: str = Field("", description="ETSI TS 119 102-1 sub-indication")
    reasons: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list,
                                description="oddities that do not change the verdict")


class FileReport(Model):
    path: str
    kind: str = "pdf"
    status: Indication
    signatures: list[SignatureReport] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    policy: str = POLICY


def load_trust(paths: Sequence[Path]) -> list[x509.Certificate]:
    """The certificates of the trust store entries (`vn`, `user`, files and folders)."""
    return load_store(paths)


def has_signature_timestamp(sig: EmbeddedPdfSignature) -> bool:
    """Whether the signature carries an RFC 3161 signature timestamp (unsigned attribute)."""
    attrs = sig.signer_info["unsigned_attrs"]
    if not isinstance(attrs, cms.CMSAttributes):  # absent (asn1crypto's Void)
        return False
    # Only the attribute types: .native on the whole set would decode the time stamp token.
    return any(a["type"].native == "signature_time_stamp_token" for a in attrs)


def _good(st: Any) -> bool:
    return bool(st is not None and st.intact and st.valid and st.trusted)


def _vn(t: datetime | None) -> str | None:
    return t.astimezone(VN_TZ).isoformat() if t else None


CLOCK_SLACK = timedelta(minutes=5)
VN_OFFSET = timedelta(hours=7)


def time_warnings(claimed: datetime | None, stamped: datetime | None) -> list[str]:
    """The signer's claimed time against the signature's time stamp, which a TSA vouches for:
    exactly 7 hours apart is Vietnam time written as UTC (VGCA's signing tool does this); any
    other claim after the stamp is a clock to distrust. The time stamp is what counts."""
    if claimed is None or stamped is None:
        return []
    ahead = claimed - stamped
    if abs(ahead - VN_OFFSET) <= CLOCK_SLACK or abs(ahead + VN_OFFSET) <= CLOCK_SLACK:
        return [_("the claimed signing time is 7 hours off the time stamp: Vietnam time "
                  "written as UTC by the signing software; the time stamp ({stamp}) is the "
                  "signing time").format(stamp=_vn(stamped))]
    if ahead > CLOCK_SLACK:
        return [_("the claimed signing time ({claimed}) is after the time stamp ({stamp}): the "
                  "signer's clock was wrong; the time stamp is the signing time").format(
                      claimed=_vn(claimed), stamp=_vn(stamped))]
    return []


_TRUST: dict[tuple[bytes, ...], tuple[SimpleTrustManager, CertificateRegistry]] = {}
_WITH: dict[tuple[bytes, ...], CertificateRegistry] = {}


def _trust_manager(roots: tuple[x509.Certificate, ...]
                   ) -> tuple[SimpleTrustManager, CertificateRegistry]:
    """The trust roots, and a registry of every certificate of the store, made once per
    process and store: registering the 65 anchors and sub-CAs of the Vietnamese store (their
    names hashed for lookup) cost ~20 ms a context, three contexts a file."""
    key = tuple(c.sha256 for c in roots)
    if key not in _TRUST:
        _TRUST.clear()  # one store per process in practice; never grow without bound
        _WITH.clear()
        _TRUST[key] = (SimpleTrustManager.build(trust_roots=list(roots)),
                       CertificateRegistry.build(roots))
    return _TRUST[key]


def _copy(template: CertificateRegistry, extra: Iterable[x509.Certificate] = ()
          ) -> CertificateRegistry:
    """A registry holding the template's certificates and `extra` (a file's DSS), without
    hashing names already hashed: a batch's files mostly carry the same chain, and preparing a
    certificate's names for lookup (LDAP string preparation) is the costly part (pyHanko's
    registry keeps them in these four maps)."""
    extra = list(extra)
    key = (id(template).to_bytes(8, "little"), *sorted(c.sha256 for c in extra))
    if key not in _WITH:
        if len(_WITH) > 64:
            _WITH.clear()
        built = _clone(template)
        built.register_multiple(extra)
        _WITH[key] = built
    return _clone(_WITH[key])


def _clone(template: CertificateRegistry) -> CertificateRegistry:
    reg = CertificateRegistry()
    reg.certs = dict(template.certs)
    for name in ("_subject_map", "_key_identifier_map", "_key_hash_map"):
        setattr(reg, name, defaultdict(list, {k: list(v) for k, v in
                                              getattr(template, name).items()}))
    return reg


@dataclass
class _Context:
    """What the signatures of one file are judged against."""

    roots: list[x509.Certificate]
    online: ValidationContext
    dss: ValidationContext | None  # the DSS alone: no network, revocation data required
    skip_diff: bool = False  # our own fresh output: its later revisions are ours
    offline: bool = True
    visual: VisualCheck | None = None  # files changed after signing: compare the renderings

    @classmethod
    def of(cls, reader: PdfFileReader, roots: Sequence[x509.Certificate], offline: bool,
           fetch: FetchPolicy | None = None) -> _Context:
        # Sub-CAs of the store also help build the chain: signers embed only their own cert.
        others = [c for c in roots if c.self_signed not in ("maybe", "yes")]
        trust, store = _trust_manager(tuple(roots))
        # Offline, nothing is fetched: the store's certificates come from a registry made once
        # (a copy per context, since each one adds the file's own certificates).
        online = ValidationContext(trust_manager=trust, certificate_registry=_copy(store),
                                   allow_fetching=False, revocation_mode="soft-fail") \
            if offline else ValidationContext(trust_manager=trust, other_certs=others,
                                              allow_fetching=True, revocation_mode="soft-fail",
                                              fetcher_backend=GuardedFetcherBackend(fetch))
        try:
            dss_store = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            return cls(list(roots), online, None, offline=offline)
        dss = dss_store.as_validation_context({"trust_manager": trust,
                                               "certificate_registry": _copy(
                                                   store, dss_store.load_certs()),
                                               "allow_fetching": False,
                                               "revocation_mode": "hard-fail"})
        if not offline:
            # Embedded data first, the network for what it lacks.
            online = dss_store.as_validation_context({"trust_manager": trust,
                                                      "other_certs": others,
                                                      "allow_fetching": True,
                                                      "revocation_mode": "soft-fail",
                                                      "fetcher_backend":
                                                          GuardedFetcherBackend(fetch)})
        return cls(list(roots), online, dss, offline=offline)


def _revocation(st: Any, lt: bool, ctx: _Context) -> str:
    """What is known of the signer's revocation status, never "good" without data: pyHanko's
    soft-fail accepts a chain whose status nobody answered for."""
    if st.revoked:
        return "revoked"
    if not st.trusted:
        return "unknown"
    if lt:
        return "good"  # the embedded data alone validated it, revocation data required
    if ctx.offline:
        return "not checked"
    return "good" if (ctx.online.ocsps or ctx.online.crls) else "unavailable"


def _validate(sig: EmbeddedPdfSignature, ctx: _Context) -> tuple[Any, bool]:
    """pyHanko's status, and whether the DSS alone validated it (B-LT material present).
    One validation when the file carries its validation data, two otherwise."""
    if ctx.dss is not None:
        st = validate_pdf_signature(sig, signer_validation_context=ctx.dss,
                                    skip_diff=ctx.skip_diff, diff_policy=DIFF_POLICY)
        if _good(st):
            return st, True
    return validate_pdf_signature(sig, signer_validation_context=ctx.online,
                                  skip_diff=ctx.skip_diff, diff_policy=DIFF_POLICY), False


def _timestamp_ok(ts: EmbeddedPdfSignature, vc: ValidationContext,
                  skip_diff: bool = False) -> bool:
    try:
        return _good(validate_pdf_timestamp(ts, validation_context=vc, skip_diff=skip_diff,
                                            diff_policy=DIFF_POLICY))
    except (SignatureValidationError, ValueError, KeyError):
        return False


def _level(reader: PdfFileReader, sig: EmbeddedPdfSignature, st: Any, lt: bool,
           ctx: _Context) -> tuple[str, list[str]]:
    """The PAdES baseline level (ETSI EN 319 142-1) reached, each step checked with pyHanko's
    validator: B-T a valid signature timestamp, or a document timestamp over the signature;
    B-LT the DSS alone (no network, revocation required) validates the signer; B-LTA a further
    document timestamp over that DSS validates."""
    later = [ts for ts in reader.embedded_timestamp_signatures
             if ts.signed_revision > sig.signed_revision]
    vc = ctx.dss or ctx.online
    if not (has_signature_timestamp(sig) and _good(getattr(st, "timestamp_validity", None))):
        if not later or not _timestamp_ok(later[0], vc, ctx.skip_diff):
            return "B-B", []
        later = later[1:]  # that document timestamp gives the signature its time
    if not lt or ctx.dss is None:
        return "B-T", []
    if any(_timestamp_ok(ts, ctx.dss, ctx.skip_diff) for ts in later):
        return "B-LTA", []
    return "B-LT", []


def _claims_lt(reader: PdfFileReader, sig: EmbeddedPdfSignature) -> bool:
    """Whether the file's validation data (DSS) names this signature: a VRI entry keyed by the
    SHA-1 of its contents (PAdES), which is how a file claims a signature is long-term (B-LT or
    above). A DSS without one may serve another signature (a countersignature's B-LT)."""
    try:
        vri = reader.root["/DSS"]["/VRI"]
    except (KeyError, TypeError):
        return False
    contents = sig.pkcs7_content
    keys = {hashlib.sha1(c).hexdigest().upper() for c in (contents, contents.rstrip(b"\0"))}
    return any(str(k).lstrip("/").upper() in keys for k in vri)


def _page_changes(reader: PdfFileReader, revision: int) -> str | None:
    """What later revisions did to the pages, in words: pyHanko only says "unexplained"."""
    changed: set[str] = set()
    refs = [r for rev in range(revision + 1, reader.xrefs.total_revisions)
            for r in reader.xrefs.explicit_refs_in_revision(rev)]
    then = reader.get_historical_resolver(revision)
    try:
        old_pages = then.root["/Pages"]["/Kids"]
        new_pages = reader.root["/Pages"]["/Kids"]
        for i in range(min(len(old_pages), len(new_pages))):
            old, new = old_pages[i], new_pages[i]
            if len(old.get("/Annots", ())) != len(new.get("/Annots", ())):
                changed.add(_("annotations added or removed on a page"))
            if old.raw_get("/Contents") != new.raw_get("/Contents") or \
                    old.get("/Resources") != new.get("/Resources"):
                changed.add(_("page content or resources (fonts, images) replaced"))
        if len(old_pages) != len(new_pages):
            changed.add(_("pages added or removed"))
        signed_refs = set().union(*(reader.xrefs.explicit_refs_in_revision(r)
                                    for r in range(revision + 1)))
        for ref in refs:
            obj = reader.get_object(ref)
            if ref not in signed_refs or not isinstance(obj, generic.StreamObject):
                continue
            font = "/Length1" in obj or obj.get("/Subtype") in ("/Type1C", "/CIDFontType0C",
                                                                "/OpenType")
            kind = _("an image") if obj.get("/Subtype") == "/Image" else _("a font") if font \
                else _("a content stream")
            changed.add(_("{kind} that was signed given new data under the same object number")
                        .format(kind=kind))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    return "; ".join(sorted(changed)) or None


def _changes_after(st: Any, reader: PdfFileReader) -> str:
    """What later revisions did, in words: the kind of change, and the signature fields they
    added or filled, with the page each one's widget is on."""
    level = st.modification_level
    if level is None:
        return ""
    text = _(_CHANGES.get(level, ""))
    fields = sorted(getattr(getattr(st, "diff_result", None), "changed_form_fields", ()) or ())
    if not fields:
        return text
    pages: dict[str, int] = {}
    try:
        numbers = {num: i for i, (num, _) in enumerate(page_tree(reader), 1) if num is not None}
        listed_fields = reader.root["/AcroForm"]["/Fields"]
        for i in range(len(listed_fields)):
            f = listed_fields[i]  # indexing resolves the reference; iterating does not
            page = f.raw_get("/P") if "/P" in f else None
            if str(f.get("/T")) in fields and page is not None and page.idnum in numbers:
                pages[str(f.get("/T"))] = numbers[page.idnum]
    except (KeyError, TypeError, AttributeError):
        pass
    listed = ", ".join(f"{name} ({_('page {page}').format(page=pages[name])})"
                       if name in pages else name for name in fields)
    return _("{changes}: {count} signature fields added or signed after it — {fields}").format(
        changes=text, count=len(fields), fields=listed)


def _verdict(st: Any, sig: EmbeddedPdfSignature, own: bool = False
             ) -> tuple[Indication, str, list[str]]:
    """Indication, sub-indication and reasons in the ETSI TS 119 102-1 style. `own`: a file
    digitize has just signed, whose later revisions (validation data, document timestamps)
    it wrote itself and did not analyse."""
    if not st.intact:
        return Indication.invalid, "HASH_FAILURE", [_("the signed bytes were changed")]
    if not st.valid:
        return Indication.invalid, "SIG_CRYPTO_FAILURE", [
            _("the signature value does not match")]
    if st.coverage not in (SignatureCoverageLevel.ENTIRE_FILE,
                           SignatureCoverageLevel.ENTIRE_REVISION):
        return Indication.invalid, "FORMAT_FAILURE", [
            _("the signature's ByteRange does not cover the whole revision it signs")]
    if st.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        level = st.modification_level
        allowed = (own and level is None) or (
            level is not None and level <= ModificationLevel.FORM_FILLING and
            st.docmdp_ok is not False)
        if not allowed:
            what = _page_changes(sig.reader, sig.signed_revision) or (
                _(_CHANGES.get(level, N_("unknown changes"))) if level is not None else
                _("changes that could not be analysed"))
            return Indication.invalid, "FORMAT_FAILURE", [
                _("changed after signing: {what} (an incremental update the signature does not "
                  "allow)").format(what=what)]
    ts = getattr(st, "timestamp_validity", None)
    if has_signature_timestamp(sig) and ts is not None and not (ts.intact and ts.valid):
        return Indication.invalid, "SIG_CRYPTO_FAILURE", [
            _("the signature timestamp was altered or does not match the signature")]
    if st.revoked:
        rev = st.revocation_details
        when = _(" on {date}").format(date=_vn(rev.revocation_date)) if rev is not None else ""
        if rev is not None and _good(ts) and ts.timestamp >= rev.revocation_date:
            return Indication.invalid, "REVOKED", [
                _("the signer's certificate was revoked{when}; the signature's timestamp "
                  "({time}) proves it was made afterwards").format(when=when,
                                                                   time=_vn(ts.timestamp))]
        return Indication.indeterminate, "REVOKED_NO_POE", [
            _("the signer's certificate was revoked{when}, and nothing proves the signature "
              "was made before").format(when=when)]
    if not st.trusted:
        sub = st.trust_problem_indic.name if st.trust_problem_indic else \
            "NO_CERTIFICATE_CHAIN_FOUND"
        why = {"NO_CERTIFICATE_CHAIN_FOUND": N_("the signer's certificate does not chain to a "
                                                "trusted root; add the root with --trust or "
                                                "[verify] trust"),
               "OUT_OF_BOUNDS_NO_POE": N_("the signer's certificate is expired or not yet "
                                          "valid, and no timestamp proves the signature was "
                                          "made while it was valid"),
               "TRY_LATER": N_("the revocation status could not be found (OCSP/CRL "
                               "unreachable)"),
               "REVOKED_NO_POE": N_("the signer's certificate is revoked")}.get(sub)
        why = _(why) if why else _("the certificate chain does not validate ({sub})").format(
            sub=sub)
        return Indication.indeterminate, sub, [why]
    if has_signature_timestamp(sig) and ts is not None and not ts.trusted:
        return Indication.indeterminate, "NO_CERTIFICATE_CHAIN_FOUND", [
            _("the signature timestamp comes from a time-stamping authority that is not "
              "trusted")]
    return Indication.valid, "", []


def _visual(sig: EmbeddedPdfSignature, check: VisualCheck) -> tuple[str, str, bool]:
    """The visual check's finding in words, its picture (base64 PNG) and whether the signed
    pages look different outside the signature fields added later; without poppler, the
    signature is judged without it."""
    try:
        found = check.of(list(sig.sig_object["/ByteRange"]), sig.signed_revision)
    except (ValueError, OSError, KeyError, TypeError, EnvironmentProblem) as exc:
        return _("visual check not made: {error}").format(error=exc), "", False
    if not found.changes:
        return _("visual check: the signed pages look the same, apart from the {count} "
                 "signature fields added later").format(count=found.widgets), "", False
    pages = ", ".join(str(p) for p in sorted({c.page for c in found.changes}))
    text = _("visual check: page {pages} looks different from what was signed, outside the "
             "signature fields added later").format(pages=pages)
    return text, base64.b64encode(found.picture).decode() if found.picture else "", True


def _report(sig: EmbeddedPdfSignature, ctx: _Context, reader: PdfFileReader,
            levels: bool) -> SignatureReport:
    name = getattr(sig, "field_name", "") or ""
    try:
        return _judge(sig, ctx, reader, levels, name)
    except Exception as exc:
        # Badly encoded CMS, a broken signature dictionary, a missing certificate: pyHanko and
        # asn1crypto raise anything from ValueError to AssertionError on such input. That
        # signature is invalid with its reason; the file's other signatures and the batch go on.
        error = str(exc) or type(exc).__name__
        return SignatureReport(field=name, status=Indication.invalid,
                               sub_indication="FORMAT_FAILURE",
                               reasons=[_("the signature cannot be read or validated: {error}")
                                        .format(error=error)])


def _judge(sig: EmbeddedPdfSignature, ctx: _Context, reader: PdfFileReader, levels: bool,
           name: str) -> SignatureReport:
    st, lt = _validate(sig, ctx)
    cert = st.signing_cert
    status, sub, reasons = _verdict(st, sig, ctx.skip_diff)
    level = _level(reader, sig, st, lt, ctx)[0] if levels or lt else (
        "B-T" if has_signature_timestamp(sig) else "B-B")
    ts = getattr(st, "timestamp_validity", None)
    ts_state = "" if ts is None else "valid" if _good(ts) else \
        "untrusted" if ts.intact and ts.valid else "invalid"
    rev = _revocation(st, lt, ctx)
    if status is Indication.valid and rev == "not checked" and _claims_lt(reader, sig):
        status, sub, reasons = Indication.indeterminate, "TRY_LATER", [
            _("the file claims long-term validation data for this signature (a DSS added after "
              "it), but that data does not validate the signer's certificate and --offline "
              "fetched nothing: its revocation status was not checked")]
    visual, picture = "", ""
    # Later revisions that only add validation data or document timestamps (B-LT, B-LTA) draw
    # nothing: pyHanko's analysis allows no other object there. The rest is rendered.
    drawn = st.modification_level is None or st.modification_level > \
        ModificationLevel.LTA_UPDATES
    if ctx.visual is not None and st.coverage == SignatureCoverageLevel.ENTIRE_REVISION and \
            drawn:
        visual, picture, changed = _visual(sig, ctx.visual)
        if changed and status is not Indication.invalid:
            status, sub, reasons = Indication.invalid, "FORMAT_FAILURE", [visual]
    docmdp = sig.docmdp_level
    subject = cert.subject.native if cert else {}
    return SignatureReport(
        field=name, signer=str(subject.get("common_name", "")),
        signer_subject=cert.subject.human_friendly if cert else "",
        organisation=str(subject.get("organization_name", "")),
        signer_serial=format(cert.serial_number, "X") if cert else "",
        issuer=cert.issuer.human_friendly if cert else "",
        signing_time=_vn(st.signer_reported_dt), timestamp_time=_vn(ts.timestamp) if ts else None,
        timestamp_status=ts_state, intact=st.intact, crypto_valid=st.valid, trusted=st.trusted,
        revocation=rev, coverage=st.coverage.name if st.coverage else "",
        certification=docmdp.name if docmdp is not None else "",
        changes_after=_changes_after(st, reader), visual=visual, visual_picture=picture,
        level=level, status=status,
        sub_indication=sub, reasons=reasons,
        warnings=time_warnings(st.signer_reported_dt, ts.timestamp if ts else None))


def overall(statuses: Sequence[Indication]) -> Indication:
    if not statuses or Indication.invalid in statuses:
        return Indication.invalid
    if Indication.indeterminate in statuses:
        return Indication.indeterminate
    return Indication.valid


_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj$")


def _removed(data: bytes, found: int) -> int:
    """How many signature dictionaries, written in any revision, the file no longer shows (a
    signature removed by an incremental update). Signature dictionaries are never compressed,
    since their ByteRange must be readable; one rewritten in a later revision counts once."""
    objects = set()
    for hit in _SIG_DICT.finditer(data):
        at = data.rfind(b"obj", 0, hit.start())
        head = _OBJ.search(data[max(0, at - 40):at + 3])
        if head is not None:
            objects.add((head.group(1), head.group(2)))
    return max(0, len(objects) - found)


def _collect(reader: PdfFileReader) -> tuple[list[EmbeddedPdfSignature], list[SignatureReport]]:
    """The file's signatures (/Sig) in signing order, and a report for each one whose CMS cannot
    even be parsed: pyHanko's own collection stops at the first such signature."""
    parsed: list[EmbeddedPdfSignature] = []
    broken: list[SignatureReport] = []
    for name, _value, field in enumerate_sig_fields(reader, filled_status=True):
        try:
            parsed.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:
            broken.append(SignatureReport(
                field=name, status=Indication.invalid, sub_indication="FORMAT_FAILURE",
                reasons=[_("the signature cannot be read or validated: {error}").format(
                    error=str(exc) or type(exc).__name__)]))
    parsed.sort(key=lambda e: e.signed_revision)
    # pyHanko's reader caches its collection; give it ours, so that its timestamp and
    # revision lookups use the signatures that parsed instead of failing on the others.
    reader._embedded_signatures = parsed
    return [e for e in parsed if e.sig_object_type == "/Sig"], broken


def verify_pdf(path: Path, trust: Sequence[x509.Certificate], offline: bool = True,
               levels: bool = False, own_output: bool = False,
               fetch: FetchPolicy | None = None) -> FileReport:
    """Validate every signature in `path` (document timestamps count towards B-LTA, they are
    not signatures). A file without signatures is reported invalid. With `levels`, the PAdES
    level of signatures without embedded validation data is checked step by step too.
    `own_output` (a file digitize has just signed) skips the analysis of later revisions,
    which digitize wrote itself; files from elsewhere always get it, once within the limits on
    input PDFs (else invalid, unread, with the reason). Online, what is fetched keeps to
    `fetch` (default: the process's policy, see validation.fetch)."""
    if not own_output and (refused := refusal(path)):
        return FileReport(path=str(path), status=Indication.invalid, reasons=[refused])
    try:
        data = path.read_bytes()  # once: the reader and the removed-signature scan share it
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        ctx = _Context.of(reader, trust, offline, fetch)
        ctx.skip_diff = own_output
        if not own_output:
            ctx.visual = VisualCheck(path, data, reader)
        regular, broken = _collect(reader)
        sigs = [_report(s, ctx, reader, levels) for s in regular] + broken
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AssertionError,
            AttributeError, IndexError, zlib.error, NotImplementedError, RecursionError,
            ArithmeticError) as exc:  # a damaged stream, xref or number: the file is wrong
        return FileReport(path=str(path), status=Indication.invalid,
                          reasons=["FORMAT_FAILURE: " + _("not a readable signed PDF: {error}")
                                   .format(error=exc)])
    reasons = []
    removed = _removed(data, len(sigs))
    if removed:
        reasons.append("FORMAT_FAILURE: " + _("{count} signature(s) present in an earlier "
                                              "revision were removed").format(count=removed))
    if not sigs:
        reasons.append("NO_SIGNATURE: " + _("the file carries no signature"))
        return FileReport(path=str(path), status=Indication.invalid, reasons=reasons)
    status = Indication.invalid if removed else overall([s.status for s in sigs])
    return FileReport(path=str(path), status=status, signatures=sigs, reasons=reasons)
