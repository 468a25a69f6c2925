"""The one way a zip is unpacked, for the CLI and the web desk alike (`verify`, `schema legacy`,
the browser's Verify): the zip's directory is checked whole before anything is written — total
unpacked size, number of entries, compression ratio, folder depth, no links, no name outside
the target — and the entries are then written with their bytes counted, so a zip that lies
about its sizes stops at the limit too. An archivist opens zips that others send: a
decompression bomb or a `../` name must cost nothing but one sentence."""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from digitize.errors import InputFileError
from digitize.i18n import _

MB = 2**20
CHUNK = MB


@dataclass(frozen=True)
class ArchiveLimits:
    """What a package zip may hold. A TT 05/2025 package is PDFs (barely compressible) and XML
    (10-20x): the ratio only counts for entries and totals large enough to matter, so a small,
    very regular XML file is not mistaken for a bomb."""

    max_total: int = 4096 * MB  # unpacked bytes, all entries together
    max_entries: int = 10_000
    max_ratio: int = 100  # unpacked / compressed
    ratio_floor: int = 4 * MB  # an entry (or the whole zip) below this is never a bomb
    max_depth: int = 16  # folders: uuid-…/representations/rep1/metadata/descriptive/… is 5


DEFAULT_LIMITS = ArchiveLimits()


class UnsafeArchive(InputFileError):
    """A zip refused before anything of it was written: a bomb, a link, a name outside."""


def _refuse(path: Path, why: str) -> UnsafeArchive:
    return UnsafeArchive(_("{path} was not unpacked: {why}. If you trust it, unpack it yourself "
                           "and verify the folder.").format(path=path, why=why))


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def _check_name(path: Path, name: str, limits: ArchiveLimits) -> None:
    """A relative name with no `..`, no drive or backslash tricks, not too deep."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not name or "\x00" in name or name.startswith(("/", "\\")) or ".." in parts or (
            parts and ":" in parts[0]):
        raise _refuse(path, _("the entry {name!r} would land outside the folder it is unpacked "
                              "into").format(name=name))
    if len(parts) > limits.max_depth:
        raise _refuse(path, _("the entry {name!r} is {count} folders deep (at most {value})")
                      .format(name=name, count=len(parts), value=limits.max_depth))


def check_zip(path: Path, zf: zipfile.ZipFile, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """Every rule, on the zip's directory alone (nothing is decompressed or written)."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _refuse(path, _("it holds {count} entries (at most {value})").format(
            count=len(infos), value=limits.max_entries))
    total = packed = 0
    seen: set[str] = set()
    for info in infos:
        _check_name(path, info.filename, limits)
        if _is_link(info):
            raise _refuse(path, _("the entry {name!r} is a symbolic link").format(
                name=info.filename))
        if info.flag_bits & 0x1:
            raise _refuse(path, _("the entry {name!r} is encrypted").format(name=info.filename))
        key = info.filename.rstrip("/").casefold()
        if key in seen:  # two entries for one file: which one was checked?
            raise _refuse(path, _("the entry {name!r} is there twice").format(
                name=info.filename))
        seen.add(key)
        if info.file_size > limits.ratio_floor and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _refuse(path, _("the entry {name!r} unpacks to {mb} MB from {kb} kB, a "
                                  "decompression bomb").format(
                name=info.filename, mb=info.file_size // MB, kb=info.compress_size // 1024))
        total += info.file_size
        packed += info.compress_size
    if total > limits.max_total:
        raise _refuse(path, _("it unpacks to {mb} MB (at most {value} MB)").format(
            mb=total // MB, value=limits.max_total // MB))
    if total > limits.ratio_floor and total > limits.max_ratio * max(packed, 1):
        raise _refuse(path, _("it unpacks to {mb} MB from {kb} kB, a decompression bomb").format(
            mb=total // MB, kb=packed // 1024))


def _extract(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path,
             budget: int) -> int:
    """One entry written in pieces, never more bytes than its declared size nor the budget
    left (zipfile also stops at the declared size and checks the CRC); the bytes written."""
    target = into.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
    if into.resolve() not in target.resolve().parents:
        raise _refuse(path, _("the entry {name!r} would land outside the folder it is unpacked "
                              "into").format(name=info.filename))
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, open(target, "xb") as dst:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > min(info.file_size, budget):
                raise _refuse(path, _("the entry {name!r} holds more than it declares").format(
                    name=info.filename))
            dst.write(chunk)
    return written


def safe_unpack(path: Path, into: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> Path:
    """Unpack the zip `path` into the empty folder `into` when every rule holds, and return the
    folder it holds (its one top folder, else `into`); refused zips leave `into` empty."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(path, zf, limits)
            budget = limits.max_total
            try:
                for info in zf.infolist():
                    budget -= _extract(path, zf, info, into, budget)
            except BaseException:
                for child in into.iterdir():  # nothing half-unpacked stays behind
                    shutil.rmtree(child) if child.is_dir() and not child.is_symlink() \
                        else child.unlink()
                raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            RuntimeError) as exc:
        raise InputFileError(_("{path} is not a readable zip file.").format(path=path)) from exc
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise _refuse(path, _("two entries name the same file")) from exc
        raise InputFileError(_("{path} is not a readable zip file.").format(path=path)) from exc
    tops = list(into.iterdir())
    return tops[0] if len(tops) == 1 and tops[0].is_dir() else into
