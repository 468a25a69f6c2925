"""The signing stage starts without aiohttp (issue 20: the fixed cost of one `digitize sign`),
and pyHanko's aiohttp classes are still there, pyHanko's own, for whoever uses them."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

from digitize.validation import deferred

PROBE = textwrap.dedent("""
    import sys
    import digitize.signing.sign, digitize.validation.verify, digitize.signing.renew
    assert "aiohttp" not in sys.modules, "aiohttp imported by signing"
    from pyhanko.sign.timestamps import DummyTimeStamper, TimeStamper, __all__ as names
    assert "HTTPTimeStamper" in names and issubclass(DummyTimeStamper, TimeStamper)
    from pyhanko.sign.validation import ades
    backend = ades.AIOHttpFetcherBackend(per_request_timeout=3)
    from pyhanko_certvalidator.fetchers import aiohttp_fetchers
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
    assert type(backend) is AIOHttpFetcherBackend, type(backend)
    assert backend.per_request_timeout == 3
    assert backend.get_fetchers().ocsp_fetcher is not None
    assert aiohttp_fetchers.__all__ == ["AIOHttpFetcherBackend"]
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper as own
    assert HTTPTimeStamper is own and issubclass(own, TimeStamper)
    assert "aiohttp" in sys.modules
    print("ok")
""")


def test_signing_imports_no_aiohttp_and_keeps_pyhankos_classes() -> None:
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


def test_remote_signing_still_gets_aiohttp() -> None:
    res = subprocess.run([sys.executable, "-c", "import sys, digitize.signing.csc; "
                          "import aiohttp; print(aiohttp.ClientSession.__module__)"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "aiohttp.client", res.stderr[-2000:]


def test_another_shape_of_the_package_loads_as_usual() -> None:
    # A pyHanko whose initialisers are written differently is not rewritten at all.
    plain = ast.parse("from .api import TimeStamper\nfrom .http import HTTPTimeStamper\n")
    assert deferred._timestamps_lazy(plain) is None
    assert deferred._fetchers_lazy(ast.parse("from .backend import AIOHttpFetcherBackend\n")
                                   ) is None
    ours = ast.parse("from .aiohttp_client import HTTPTimeStamper\nfrom .api import TimeStamper\n")
    lazy = deferred._timestamps_lazy(ours)
    assert lazy is not None and ast.unparse(lazy) == "from .api import TimeStamper"
