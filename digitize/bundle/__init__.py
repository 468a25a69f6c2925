"""Bundle stage: TT 05/2025 submission packages (E-ARK CSIP: METS + EAD) and their checks."""

from digitize.bundle.check import PackageCheck, check_package
from digitize.bundle.sip import PackageDocument, PackageDossier, build_sip

__all__ = ["PackageCheck", "PackageDocument", "PackageDossier", "build_sip", "check_package"]
