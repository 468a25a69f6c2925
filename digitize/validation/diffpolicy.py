"""What may change in a PDF after it was signed, as pyHanko's difference analysis judges it,
plus the updates that Decree 30/2020 signing adds to tagged PDFs: the clerical office's later
signatures tag their new widgets in the structure tree (`/StructTreeRoot`, its `/K` kids and
`/ParentTree`). Those objects only describe the logical structure (what a screen reader reads);
they draw nothing, so updating them is allowed at the form-filling level, like the signature
fields they tag. Anything in the structure tree that could draw (a stream, a page, an
annotation, a font or an image) is never approved by this rule."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    FormUpdatingRule,
    GenericFieldModificationRule,
    ModificationLevel,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    WhitelistRule,
)

# Entries of structure elements that point out of the structure tree: not followed.
_OUTSIDE = {"/Pg", "/Obj", "/Stm", "/StmOwn", "/A", "/C"}
_STRUCTURAL_TYPES = {None, "/StructTreeRoot", "/StructElem", "/MCR", "/OBJR"}


def _structural(obj: generic.PdfObject) -> bool:
    if isinstance(obj, generic.StreamObject):
        return False
    if isinstance(obj, generic.DictionaryObject):
        kind = obj.get("/Type")
        return (str(kind) if kind is not None else None) in _STRUCTURAL_TYPES
    return isinstance(obj, generic.ArrayObject)


def _walk(resolver: HistoricalResolver, start: generic.Reference
          ) -> Iterator[generic.Reference]:
    """Every indirect object of the structure tree from `start`, not following the entries
    that point at pages, annotations or content."""
    seen: set[generic.Reference] = set()
    todo = [start]
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        obj = resolver(ref)
        if not _structural(obj):
            continue  # left for the other rules: this one never approves it
        yield ref
        stack: list[generic.PdfObject] = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, generic.IndirectObject):
                todo.append(item.reference)
            elif isinstance(item, generic.DictionaryObject):
                stack.extend(v for k, v in item.items() if k not in _OUTSIDE)
            elif isinstance(item, generic.ArrayObject):
                stack.extend(item)


# Per reader and revision: the structure tree's objects. A file with n signatures has each of
# its later revisions reviewed once per earlier signature; the tree is walked once.
_TREES: weakref.WeakKeyDictionary[PdfFileReader, dict[int, frozenset[generic.Reference]]] = \
    weakref.WeakKeyDictionary()


def _tree(resolver: HistoricalResolver, root: generic.Reference) -> frozenset[generic.Reference]:
    per_revision = _TREES.setdefault(resolver.reader, {})
    if resolver.revision not in per_revision:
        per_revision[resolver.revision] = frozenset(_walk(resolver, root))
    return per_revision[resolver.revision]


class StructTreeRule(WhitelistRule):
    """Approves new or updated objects of the structure tree (see the module docstring)."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver
              ) -> Iterable[ReferenceUpdate]:
        try:
            root = new.root.get_value_as_reference("/StructTreeRoot")
        except (KeyError, misc.IndirectObjectExpected):
            return
        changed = new.explicit_refs_in_revision()
        for ref in _tree(new, root):
            if ref in changed:
                yield ReferenceUpdate(ref)


# A certification that allows form filling (DocMDP P=2) allows signing, and a VGCA signature
# after it is a new visible field: pyHanko refuses those by default, stricter than Acrobat and
# than ISO 32000 ("filling in forms, instantiating page templates, and signing").
DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules,
                  StructTreeRule().as_qualified(ModificationLevel.FORM_FILLING)],
    form_rule=FormUpdatingRule(field_rules=[
        SigFieldCreationRule(allow_new_visible_after_certify=True),
        SigFieldModificationRule(), GenericFieldModificationRule()]))
