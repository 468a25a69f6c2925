"""Verification for archivists (issue 7): a tamper corpus of altered files that must never be
reported valid, each with its reason (and pdfsig agreeing where it can judge); valid files from
every level and key source; the HTML report; renewal to B-LTA; packages checked whole."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from digitize.devtools.testpki import PASSWORD
from digitize.identity import load_certs
from digitize.validation.fetch import FetchPolicy
from digitize.validation.verify import FileReport, verify_pdf

from .conftest import Signing, sign_with


@pytest.fixture(scope="module")
def signed(signing: Signing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A correctly signed B-T output, the base of every attack."""
    out = tmp_path_factory.mktemp("tamper-base")
    res = sign_with(signing, signing.pdf, out, "p12", "--level", "B-T", "--appearance", "none")
    assert res.returncode == 0, res.stderr
    return out / signing.pdf.name


def _check(signing: Signing, path: Path, offline: bool = True) -> FileReport:
    # The test PKI answers OCSP and CRL requests on 127.0.0.1, which only this policy allows.
    return verify_pdf(path, load_certs(signing.pki.root_pem), offline=offline, levels=True,
                      fetch=FetchPolicy(allow_private=True))


def _update(src: Path, dst: Path, change: Callable[[IncrementalPdfFileWriter], None]) -> Path:
    """Append an incremental update to a copy of `src`, as an attacker's tool would."""
    data = src.read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    dst.write_bytes(out.getvalue())
    return dst


def _page(writer: IncrementalPdfFileWriter) -> tuple[Any, generic.DictionaryObject]:
    ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    return ref, ref.get_object()


def _replace(writer: IncrementalPdfFileWriter, ref: Any, new: generic.PdfObject) -> None:
    """Give an existing object number new content in the next revision (a shadow)."""
    writer.objects[(ref.generation, ref.idnum)] = new


def _pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _reasons(report: FileReport) -> str:
    return " ".join([*report.reasons, *(f"{s.sub_indication} {' '.join(s.reasons)}"
                                        for s in report.signatures)])


def test_the_untouched_file_is_valid(signing: Signing, signed: Path) -> None:
    report = _check(signing, signed)
    assert report.status.value == "valid" and report.signatures[0].level == "B-T"
    sig = report.signatures[0]
    assert (sig.organisation, sig.timestamp_status, sig.revocation) == (
        "digitize test PKI", "valid", "not checked")  # offline, nothing embedded: never "good"
    assert sig.timestamp_time and sig.signing_time.endswith("+07:00")


def test_byte_flipped_inside_the_signed_range(signing: Signing, signed: Path,
                                              tmp_path: Path) -> None:
    data = bytearray(signed.read_bytes())
    start, length = (int(x) for x in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)",
                                              bytes(data)).groups())
    pos = start + length // 2
    data[pos] ^= 0x01
    bad = tmp_path / "flipped.pdf"
    bad.write_bytes(bytes(data))
    report = _check(signing, bad)
    assert report.status.value == "invalid"
    assert "HASH_FAILURE" in _reasons(report) or "FORMAT_FAILURE" in _reasons(report)
    assert "Signature is Valid" not in _pdfsig(bad)


def test_update_that_changes_page_content(signing: Signing, signed: Path, tmp_path: Path) -> None:
    def change(w: IncrementalPdfFileWriter) -> None:
        ref, page = _page(w)
        stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 50 50 300 100 re f Q")
        old = page.raw_get("/Contents")
        kept = [old.get_object().raw_get(i) for i in range(len(old.get_object()))] \
            if isinstance(old.get_object(), generic.ArrayObject) else [old]
        page[pdf_name("/Contents")] = generic.ArrayObject([*kept, w.add_object(stream)])
        w.mark_update(ref)

    report = _check(signing, _update(signed, tmp_path / "content.pdf", change))
    assert report.status.value == "invalid"
    assert "page content or resources (fonts, images) replaced" in _reasons(report)


def test_update_that_adds_an_annotation_over_the_text(signing: Signing, signed: Path,
                                                       tmp_path: Path) -> None:
    def change(w: IncrementalPdfFileWriter) -> None:
        ref, page = _page(w)
        annot = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Square"),
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in
                                                    (60, 600, 540, 700)]),
            pdf_name("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
            pdf_name("/C"): generic.ArrayObject([generic.FloatObject(1)] * 3)})
        annots = page.get("/Annots", generic.ArrayObject())
        page[pdf_name("/Annots")] = generic.ArrayObject([*annots, w.add_object(annot)])
        w.mark_update(ref)

    report = _check(signing, _update(signed, tmp_path / "annot.pdf", change))
    assert report.status.value == "invalid"
    assert "annotations added or removed on a page" in _reasons(report)


def test_update_that_replaces_the_scan_image(signing: Signing, signed: Path,
                                             tmp_path: Path) -> None:
    def change(w: IncrementalPdfFileWriter) -> None:
        _, page = _page(w)
        xobjects = page["/Resources"]["/XObject"]
        name = next(iter(xobjects))
        ref = xobjects.raw_get(name)
        image = ref.get_object()
        fake = generic.StreamObject(dict(image.items()), stream_data=b"\xff" * 64)
        for key in ("/Filter", "/DecodeParms", "/Length"):
            fake.pop(pdf_name(key), None)
        fake[pdf_name("/Width")] = generic.NumberObject(8)
        fake[pdf_name("/Height")] = generic.NumberObject(8)
        fake[pdf_name("/ColorSpace")] = pdf_name("/DeviceGray")
        fake[pdf_name("/BitsPerComponent")] = generic.NumberObject(8)
        _replace(w, ref, fake)

    report = _check(signing, _update(signed, tmp_path / "image.pdf", change))
    assert report.status.value == "invalid"
    assert "an image that was signed given new data" in _reasons(report)


def test_byte_range_that_does_not_cover_the_file(signing: Signing, signed: Path,
                                                 tmp_path: Path) -> None:
    data = signed.read_bytes()
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    a, b, c, d = (int(x) for x in m.groups())
    fields = [a, b, c, d - 100]  # the tail of the file left out of the signature
    text = b"/ByteRange [" + b" ".join(str(x).encode() for x in fields) + b"]"
    text = text.ljust(m.end() - m.start())
    bad = tmp_path / "wrapped.pdf"
    bad.write_bytes(data[:m.start()] + text + data[m.end():])
    report = _check(signing, bad)
    assert report.status.value == "invalid"
    assert re.search("FORMAT_FAILURE|HASH_FAILURE", _reasons(report))


@pytest.mark.parametrize("key", [b"/ByteRange", b"/Contents"])
def test_signature_dictionary_without_byte_range_or_contents(signing: Signing, signed: Path,
                                                            tmp_path: Path, key: bytes) -> None:
    data = signed.read_bytes()
    sig_at = data.find(b"/Type /Sig")
    start = data.rfind(b"obj", 0, sig_at)
    pos = data.find(key, start)
    broken = data[:pos] + key[:-1] + b"X" + data[pos + len(key):]
    bad = tmp_path / "nokey.pdf"
    bad.write_bytes(broken)
    report = _check(signing, bad)
    assert report.status.value == "invalid"
    assert "FORMAT_FAILURE" in _reasons(report) or "NO_SIGNATURE" in _reasons(report)
    assert "Signature is Valid" not in _pdfsig(bad)


def test_incremental_saving_attack_hides_content(signing: Signing, signed: Path,
                                                 tmp_path: Path) -> None:
    """A new revision whose cross-reference table points the page's content stream at new
    content with the same object number."""
    def change(w: IncrementalPdfFileWriter) -> None:
        _, page = _page(w)
        contents = page.raw_get("/Contents")
        target = contents.get_object()
        ref = target.raw_get(len(target) - 1) if isinstance(target, generic.ArrayObject) \
            else contents
        _replace(w, ref, generic.StreamObject(stream_data=b""))

    report = _check(signing, _update(signed, tmp_path / "isa.pdf", change))
    assert report.status.value == "invalid"
    assert "a content stream that was signed given new data" in _reasons(report)


def test_removed_signature(signing: Signing, signed: Path, tmp_path: Path) -> None:
    def change(w: IncrementalPdfFileWriter) -> None:
        form_ref = w.root.raw_get("/AcroForm")
        form = form_ref.get_object()
        form[pdf_name("/Fields")] = generic.ArrayObject()
        if isinstance(form_ref, generic.IndirectObject):
            w.mark_update(form_ref)
        else:
            w.update_root()
        ref, page = _page(w)
        if "/Annots" in page:
            del page["/Annots"]
            w.mark_update(ref)

    report = _check(signing, _update(signed, tmp_path / "removed.pdf", change))
    assert report.status.value == "invalid"
    assert "were removed" in _reasons(report)


def test_revocation_is_good_only_when_something_answered(signing: Signing, signed: Path) -> None:
    offline = _check(signing, signed).signatures[0]
    assert offline.revocation == "not checked" and offline.status.value == "valid"
    online = _check(signing, signed, offline=False).signatures[0]  # the local PKI's OCSP/CRL
    assert online.revocation == "good"


def test_a_claimed_b_lt_without_the_data_is_indeterminate_offline(
        signing: Signing, signed: Path, tmp_path: Path) -> None:
    """Validation data for the signature (a DSS with its VRI entry: the file claims B-LT) that
    holds no revocation data for the signer: offline, nothing was checked, so the claim cannot
    be confirmed."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    with signed.open("rb") as fh:
        contents = PdfFileReader(fh).embedded_signatures[0].pkcs7_content

    def add_dss(w: IncrementalPdfFileWriter) -> None:
        DocumentSecurityStore.supply_dss_in_writer(w, contents, certs=load_certs(
            signing.pki.root_pem))

    claimed = _update(signed, tmp_path / "claimed-lt.pdf", add_dss)
    sig = _check(signing, claimed).signatures[0]
    assert (sig.status.value, sig.sub_indication, sig.revocation) == (
        "indeterminate", "TRY_LATER", "not checked")
    assert "long-term validation data" in " ".join(sig.reasons)
    # The same file without the claim stays valid with "not checked", as before; so does a DSS
    # that names no signature (it may serve a later countersignature's B-LT).
    assert _check(signing, signed).signatures[0].status.value == "valid"

    def add_other_dss(w: IncrementalPdfFileWriter) -> None:
        DocumentSecurityStore.supply_dss_in_writer(w, None, certs=load_certs(
            signing.pki.root_pem))

    other = _update(signed, tmp_path / "dss-for-nobody.pdf", add_other_dss)
    assert _check(signing, other).signatures[0].status.value == "valid"


def test_certificate_revoked_at_signing_time(signing: Signing, tmp_path: Path) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "p12", "--level", "B-T", "--appearance",
                    "none", label="revoked")
    assert res.returncode == 0, res.stderr
    report = _check(signing, tmp_path / signing.pdf.name, offline=False)
    assert report.status.value == "invalid"
    sig = report.signatures[0]
    assert sig.sub_indication == "REVOKED" and sig.revocation == "revoked"


def test_untrusted_root(signing: Signing, tmp_path: Path) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "p12", "--appearance", "none",
                    label="stranger")
    assert res.returncode == 0, res.stderr
    report = _check(signing, tmp_path / signing.pdf.name)
    assert report.status.value == "indeterminate"
    assert report.signatures[0].sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"


def _sign_raw(signing: Signing, label: str, dst: Path, tsa: str | None = None) -> Path:
    """Sign without digitize's checks, as other software (or an attacker) would."""
    signer = signers.SimpleSigner.load_pkcs12(str(signing.pki.signer(label).p12),
                                              passphrase=PASSWORD.encode())
    with open(signing.pdf, "rb") as fh, open(dst, "wb") as out:
        signers.sign_pdf(IncrementalPdfFileWriter(fh),
                         signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer,
                         timestamper=RequestsHTTPTimeStamper(tsa) if tsa else None, output=out)
    return dst


def test_expired_certificate_without_timestamp(signing: Signing, tmp_path: Path) -> None:
    report = _check(signing, _sign_raw(signing, "expired", tmp_path / "expired.pdf"))
    assert report.status.value == "indeterminate"
    assert report.signatures[0].sub_indication == "OUT_OF_BOUNDS_NO_POE"


def test_timestamp_from_an_untrusted_tsa(signing: Signing, tmp_path: Path) -> None:
    report = _check(signing, _sign_raw(signing, "signer", tmp_path / "tsa.pdf",
                                       signing.pki.other_tsa_url))
    sig = report.signatures[0]
    assert report.status.value == "indeterminate" and sig.timestamp_status == "untrusted"
    assert "time-stamping authority that is not trusted" in _reasons(report)


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_valid_files_are_valid_with_the_root_and_indeterminate_without(
        signing: Signing, tmp_path: Path, level: str) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "pem", "--level", level)
    assert res.returncode == 0, res.stderr
    signed_file = tmp_path / signing.pdf.name
    trusted = signing.env.run("verify", str(signed_file), "--trust", str(signing.pki.root_pem),
                              "--offline", "--json")
    assert trusted.returncode == 0, trusted.stdout
    sig = json.loads(trusted.stdout)[0]["signatures"][0]
    assert sig["status"] == "valid" and sig["level"] == level
    alone = signing.env.run("verify", str(signed_file), "--offline", "--json")
    assert alone.returncode == 1
    assert json.loads(alone.stdout)[0]["status"] == "indeterminate"


def test_html_report_is_a_standalone_file(signing: Signing, signed: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    bad = tmp_path / "bad.pdf"
    data = bytearray(signed.read_bytes())
    data[200] ^= 1
    bad.write_bytes(bytes(data))
    res = signing.env.run("verify", str(signed), str(bad), "--trust",
                          str(signing.pki.root_pem), "--offline", "--report", str(target))
    assert res.returncode == 1
    doc = html.fromstring(target.read_bytes())
    text = doc.text_content()
    assert "SỞ TƯ PHÁP TỈNH TEST" in text and "VALID" in text and "INVALID" in text
    assert "HASH_FAILURE" in text or "FORMAT_FAILURE" in text
    assert not doc.xpath("//script|//link|//img|//iframe")
    assert not [v for v in doc.xpath("//@src|//@href") if v.startswith(("http", "//"))]


def _online(signing: Signing, folder: Path) -> str:
    """A config that lets renewal fetch from the test PKI on 127.0.0.1 (renew keeps to
    verification's fetch policy: public addresses only, unless the config says otherwise)."""
    config = folder / "online.toml"
    config.write_text(Path(signing.env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "[verify]\nallow_private_fetch = true\n", encoding="utf-8")
    return str(config)


def test_renew_raises_to_b_lta_and_keeps_signatures_valid(signing: Signing, signed: Path,
                                                          tmp_path: Path) -> None:
    first = sign_with(signing, signed, tmp_path / "two", "pem", "--appearance", "none",
                      label="clerk")
    assert first.returncode == 0, first.stderr
    src = tmp_path / "two" / signed.name
    out = tmp_path / "renewed"
    res = signing.env.run("renew", str(src), "--out", str(out), "--tsa", signing.pki.tsa_url,
                          "--trust", str(signing.pki.root_pem), "--json",
                          "--config", _online(signing, tmp_path))
    assert res.returncode == 0, res.stderr + res.stdout
    report = _check(signing, out / src.name)
    assert [(s.status.value, s.level) for s in report.signatures] == [("valid", "B-LTA")] * 2
    assert "Signature is Valid" in _pdfsig(out / src.name)


def test_renew_a_package_updates_checksums_and_provenance(signing: Signing, sample_run,
                                                          tmp_path: Path) -> None:
    dossier = sample_run.summary["dossiers"][0]
    folder = tmp_path / "dossier"
    shutil.copytree(Path(dossier["bundle"]).parent, folder)
    res = signing.env.run("renew", str(folder), "--tsa", signing.pki.tsa_url, "--trust",
                          str(signing.env.ca_cert), "--trust", str(signing.pki.root_pem),
                          "--json", "--config", _online(signing, tmp_path))
    assert res.returncode == 0, res.stderr + res.stdout
    pkg = next(folder.glob("uuid-*"))
    check = signing.env.run("verify", str(pkg), "--trust", str(signing.env.ca_cert),
                            "--trust", str(signing.pki.root_pem), "--offline", "--json")
    assert check.returncode == 0, check.stdout
    levels = {s["level"] for d in json.loads(check.stdout)[0]["documents"]
              for s in d["signatures"]}
    assert levels == {"B-LTA"}
    record = json.loads((folder / "dossier.json").read_text(encoding="utf-8"))
    assert record["provenance"][-1]["type"] == "validation data renewal"


def test_renew_an_aip_updates_its_premis_fixity(signing: Signing, sample_run,
                                               tmp_path: Path) -> None:
    from lxml import etree

    from digitize.bundle.check import check_package
    from digitize.fsutil import sha256_file

    dossier = sample_run.summary["dossiers"][0]
    made = signing.env.run("bundle", str(Path(dossier["bundle"]).parent), "--aip", "--out",
                           str(tmp_path / "aip"))
    assert made.returncode == 0, made.stderr
    aip = next((tmp_path / "aip").rglob("uuid-*"))
    res = signing.env.run("renew", str(aip), "--tsa", signing.pki.tsa_url, "--trust",
                          str(signing.env.ca_cert), "--trust", str(signing.pki.root_pem),
                          "--config", _online(signing, tmp_path))
    assert res.returncode == 0, res.stderr + res.stdout
    assert check_package(aip).ok, check_package(aip).problems
    premis = etree.parse(str(aip / "metadata" / "preservation" / "PREMIS.xml"))
    q = "{http://www.loc.gov/premis/v3}"
    for obj in premis.iter(f"{q}object"):
        rel = obj.findtext(f"{q}objectIdentifier/{q}objectIdentifierValue")
        assert obj.findtext(f".//{q}messageDigest") == sha256_file(aip / rel), rel
    renewal = [e for e in premis.iter(f"{q}event")
               if e.findtext(f"{q}eventType") == "validation data renewal"]
    assert len(renewal) == 1
    assert renewal[0].find(f"{q}linkingAgentIdentifier") is not None


def test_claimed_signing_times_are_checked_against_the_time_stamp() -> None:
    from datetime import UTC, datetime, timedelta

    from digitize.validation.verify import time_warnings

    stamp = datetime(2026, 1, 31, 15, 0, tzinfo=UTC)
    vgca = time_warnings(stamp + timedelta(hours=7, seconds=4), stamp)
    assert len(vgca) == 1 and "7 hours" in vgca[0] and "Vietnam time written as UTC" in vgca[0]
    late = time_warnings(stamp + timedelta(minutes=40), stamp)
    assert len(late) == 1 and "after the time stamp" in late[0]
    assert time_warnings(stamp - timedelta(minutes=38), stamp) == []  # signed, then stamped
    assert time_warnings(stamp, None) == [] and time_warnings(None, stamp) == []


def _tagged(src: Path, dst: Path) -> Path:
    """`src` as a tagged PDF: a structure tree with one Document element."""
    import pikepdf

    with pikepdf.open(src) as pdf:
        doc = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem,
                                                   S=pikepdf.Name.Document, K=pikepdf.Array()))
        root = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([doc]),
            ParentTree=pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array())),
            ParentTreeNextKey=0))
        doc.P = root
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.save(dst)
    return dst


def _tag_widget(forge: bool) -> Callable[[IncrementalPdfFileWriter], None]:
    """What VGCA's tool adds with each later signature: a structure element for its widget,
    under the Document element, and a ParentTree entry; `forge` also gives the signed page
    content stream new data under its old object number."""
    def change(w: IncrementalPdfFileWriter) -> None:
        tree_ref = w.root.raw_get("/StructTreeRoot")
        tree = tree_ref.get_object()
        page_ref, page = _page(w)
        elem = w.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/StructElem"), pdf_name("/S"): pdf_name("/Form"),
            pdf_name("/P"): tree["/K"].raw_get(0), pdf_name("/Pg"): page_ref,
            pdf_name("/K"): generic.NumberObject(0)}))
        document = tree["/K"][0]
        document["/K"].append(elem)
        w.mark_update(tree["/K"].raw_get(0))
        parents = tree["/ParentTree"]
        parents["/Nums"].extend([generic.NumberObject(0), elem])
        w.mark_update(tree.raw_get("/ParentTree"))
        tree["/ParentTreeNextKey"] = generic.NumberObject(1)
        w.mark_update(tree_ref)
        if forge:
            contents = page.raw_get("/Contents")
            ref = contents if isinstance(contents, generic.IndirectObject) else \
                contents.raw_get(0)
            stream = ref.get_object()
            stream._data = stream.data + b"\nq 0 0 0 rg 100 400 200 60 re f Q"  # a black bar
            stream._encoded_data = None
            w.mark_update(ref)
    return change


def test_government_signing_workflow_on_a_tagged_pdf(signing: Signing, tmp_path: Path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, SuspiciousModification

    tagged = _tagged(signing.pdf, tmp_path / "tagged.pdf")
    res = sign_with(signing, tagged, tmp_path / "c", "p12", "--certify", "--appearance", "none")
    assert res.returncode == 0, res.stderr
    certified = tmp_path / "c" / tagged.name
    for forge in (False, True):
        name = "forged" if forge else "honest"
        step = _update(certified, tmp_path / f"{name}-tagged.pdf", _tag_widget(forge))
        res = sign_with(signing, step, tmp_path / name, "p12", "--appearance", "archive")
        assert res.returncode == 0, res.stderr
        final = tmp_path / name / step.name
        report = _check(signing, final)
        first, second = report.signatures
        assert first.certification == "FILL_FORMS" and second.status.value == "valid"
        if not forge:
            assert report.status.value == "valid", _reasons(report)
            assert "form filling or further signatures" in first.changes_after
            assert first.visual.startswith("visual check: the signed pages look the same"), \
                first.visual  # the new signature's widget is the only difference
            # pyHanko's own policy calls the same file modified: the structure tree rule and
            # new visible fields after a form-filling certification are ours.
            with open(final, "rb") as fh:
                reader = PdfFileReader(fh, strict=False)
                sig = reader.embedded_regular_signatures[0]
                with pytest.raises(SuspiciousModification):
                    DEFAULT_DIFF_POLICY.apply(reader.get_historical_resolver(
                        sig.signed_revision), reader.get_historical_resolver(
                        sig.signed_revision + 1), sig.fieldmdp, sig.docmdp_level)
        else:
            assert first.status.value == "invalid" and first.sub_indication == "FORMAT_FAILURE"
            assert "content stream that was signed given new data" in _reasons(report)
            # The visual check agrees: the bar appeared outside the later signature's widget.
            assert "page 1 looks different from what was signed" in first.visual
            assert first.visual_picture  # the changed region, for --report
            html = tmp_path / f"{name}.html"
            res = signing.env.run("verify", str(final), "--trust", str(signing.pki.root_pem),
                                  "--offline", "--report", str(html))
            assert res.returncode == 1 and "data:image/png;base64," in html.read_text(
                encoding="utf-8")


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "shared" / "real" / "signed"
                         ).is_dir(), reason="shared/real/signed is not here")
def test_the_real_decree_verifies_with_all_six_signatures() -> None:
    from digitize.validation.trust import load_store

    decree = Path(__file__).resolve().parents[2] / "shared" / "real" / "signed" / \
        "50-2026-ND-CP.pdf"
    report = verify_pdf(decree, load_store([Path("vn")]), offline=True)
    assert report.status.value == "valid", _reasons(report)
    assert [s.status.value for s in report.signatures] == ["valid"] * 6
    assert report.signatures[0].certification == "FILL_FORMS"
    assert "5 signature fields added or signed after it" in report.signatures[0].changes_after
    assert "Signature2 (page 1)" in report.signatures[0].changes_after
    assert "Signature6 (page 30)" in report.signatures[0].changes_after  # the seal
    # Rendered and compared: nothing changed outside the later signatures' widgets.
    assert all("look the same" in s.visual for s in report.signatures[:5])
    assert {s.revocation for s in report.signatures} == {"not checked"}


@pytest.mark.parametrize("damage", ["garbled-header", "garbled-middle", "truncated",
                                    "not-der"])
def test_a_badly_encoded_cms_is_one_invalid_signature_not_a_crash(
        signing: Signing, signed: Path, tmp_path: Path, damage: str) -> None:
    data = bytearray(signed.read_bytes())
    m = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", data)
    assert m
    start, hexcms = m.start(1), m.group(1)
    used = len(hexcms.rstrip(b"0"))
    if damage == "garbled-header":
        new = b"3082FFFF0601" + hexcms[12:]
    elif damage == "garbled-middle":
        mid = used // 2
        new = hexcms[:mid] + b"A5" * 40 + hexcms[mid + 80:]
    elif damage == "truncated":
        new = hexcms[: used // 3] + b"0" * (len(hexcms) - used // 3)
    else:
        new = b"DEADBEEF" * (len(hexcms) // 8) + b"0" * (len(hexcms) % 8)
    data[start:start + len(hexcms)] = new
    bad = tmp_path / f"{damage}.pdf"
    bad.write_bytes(bytes(data))
    report = _check(signing, bad)  # must not raise
    assert report.status.value == "invalid"
    assert report.signatures and all(s.status.value == "invalid" and s.reasons
                                     for s in report.signatures)
