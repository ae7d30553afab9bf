"""The repository's copy of OVHcloud's OpenAPI description is the one of the shared API notes beside the checkout.

Collected only where ../shared/ovh-api/ exists (conftest.py); elsewhere the last lines of the pytest run say that
the comparison was not made.
"""
from __future__ import annotations

import json

from conftest import REPOSITORY, SHARED_SPEC_PATH

COPY_PATH = REPOSITORY / "simulator" / "contract" / "dedicated-nasha.openapi.json"


def _differences(copy, reference, where="$"):
    if isinstance(copy, dict) and isinstance(reference, dict):
        for key in sorted(set(copy) | set(reference)):
            if key not in copy:
                yield f"{where}.{key}: missing from the copy"
            elif key not in reference:
                yield f"{where}.{key}: only in the copy"
            else:
                yield from _differences(copy[key], reference[key], f"{where}.{key}")
    elif copy != reference:
        yield f"{where}: {json.dumps(copy)[:80]} in the copy, {json.dumps(reference)[:80]} in {SHARED_SPEC_PATH}"


def test_the_copy_is_the_shared_description():
    copy = json.loads(COPY_PATH.read_text(encoding="utf-8"))
    reference = json.loads(SHARED_SPEC_PATH.read_text(encoding="utf-8"))
    differences = list(_differences(copy, reference))
    assert not differences, "the copy differs (refresh it as simulator/contract/README.md says):\n" + "\n".join(
        differences[:30])


def test_a_difference_is_found():
    reference = {"paths": {"/dedicated/nasha": {"get": {"summary": "List"}}}}
    copy = {"paths": {"/dedicated/nasha": {"get": {"summary": "Listed"}}, "/extra": {}}}
    assert [d.split(":")[0] for d in _differences(copy, reference)] == [
        "$.paths./dedicated/nasha.get.summary", "$.paths./extra"]
