"""Keep aiohttp out of processes that never use it.

Every pyHanko signing or validation import reaches two package initialisers that import
aiohttp (pyhanko.sign.timestamps for HTTPTimeStamper, pyhanko_certvalidator's
fetchers.aiohttp_fetchers for AIOHttpFetcherBackend). aiohttp is the largest single cost of
starting `digitize sign` or `verify` (0.1-0.3 s on this machine: its connector builds TLS
contexts from the system CA store at import), and digitize does not use either name on those
paths: timestamps go through pyHanko's requests client, validation through its own
fetchers or offline data; only remote signing (signing.csc) uses aiohttp, and imports it
itself.

`install()` puts a finder on sys.meta_path that loads those two initialisers from their own
source with the aiohttp names left out, and binds them on first use, so anyone who does
use them gets pyHanko's own classes. Where the installed source does not have the expected
shape (another pyHanko), the finder steps aside and the package loads as usual.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

_TIMESTAMPS = "pyhanko.sign.timestamps"
_FETCHERS = "pyhanko_certvalidator.fetchers.aiohttp_fetchers"


def _without(tree: ast.Module, drop: Callable[[ast.stmt], bool]) -> ast.Module | None:
    kept = [node for node in tree.body if not drop(node)]
    if len(kept) == len(tree.body):
        return None
    return ast.Module(body=kept, type_ignores=[])


def _timestamps_lazy(tree: ast.Module) -> ast.Module | None:
    """The package minus `from .aiohttp_client import HTTPTimeStamper`."""
    return _without(tree, lambda node: isinstance(node, ast.ImportFrom) and node.level == 1
                    and node.module == "aiohttp_client")


def _fetchers_lazy(tree: ast.Module) -> ast.Module | None:
    """Nothing of this package runs until one of its names is used: its own body imports
    aiohttp and defines the backend with aiohttp types in its signature."""
    return ast.Module(body=[], type_ignores=[]) if any(
        isinstance(node, ast.ClassDef) and node.name == "AIOHttpFetcherBackend"
        for node in tree.body) else None


class _DeferredBackend:
    """Stands for AIOHttpFetcherBackend where it is imported by name (pyHanko's ades module
    makes one as a default): calling it makes pyHanko's own backend."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _complete(self._module).AIOHttpFetcherBackend(*args, **kwargs)


def _complete(module: ModuleType) -> ModuleType:
    """Run the package's full source in its own namespace, once."""
    if module.__dict__.pop("_deferred_code", None) is None:
        return module
    source = module.__spec__.origin
    with open(source, "rb") as fh:
        code = compile(fh.read(), source, "exec")
    exec(code, module.__dict__)  # the package's own initialiser, as the import system runs it
    return module


def _timestamps_getattr(module: ModuleType) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name == "HTTPTimeStamper":
            from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
            module.HTTPTimeStamper = HTTPTimeStamper
            return HTTPTimeStamper
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
    return __getattr__


def _fetchers_getattr(module: ModuleType) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name == "AIOHttpFetcherBackend" and "_deferred_code" in module.__dict__:
            return _DeferredBackend(module)
        if name.startswith("__") or "_deferred_code" not in module.__dict__:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        return getattr(_complete(module), name)
    return __getattr__


_SHAPES: dict[str, tuple[Callable[[ast.Module], ast.Module | None],
                         Callable[[ModuleType], Callable[[str], Any]]]] = {
    _TIMESTAMPS: (_timestamps_lazy, _timestamps_getattr),
    _FETCHERS: (_fetchers_lazy, _fetchers_getattr),
}


class _Loader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, lazy: ast.Module) -> None:
        super().__init__(fullname, path)
        self._lazy = lazy

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__["_deferred_code"] = True
        module.__dict__["__getattr__"] = _SHAPES[module.__name__][1](module)
        exec(compile(self._lazy, self.path, "exec"), module.__dict__)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _SHAPES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.origin.endswith("__init__.py"):
            return None
        try:
            with open(spec.origin, "rb") as fh:
                lazy = _SHAPES[fullname][0](ast.parse(fh.read(), spec.origin))
        except (OSError, SyntaxError):
            return None
        if lazy is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, spec.origin, loader=_Loader(fullname, spec.origin, lazy),
            submodule_search_locations=spec.submodule_search_locations)


_FINDER = _Finder()


def install() -> None:
    """Put the finder in front of the import system (once; only packages not yet imported
    are affected)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
