"""Every custom error the contracts can raise comes with a hint saying what to do (issue 20)."""
import re
from pathlib import Path

import pytest
from eth_utils.crypto import keccak

from opencommons.chain.revert_hints import _HINTS, hint

INTERFACES = Path(__file__).resolve().parents[2] / "interfaces"
ERRORS = sorted({m for f in INTERFACES.glob("*.sol")
                 for m in re.findall(r"^\s*error (\w+)\(", f.read_text(), re.MULTILINE)})


def test_interfaces_declare_errors():
    assert len(ERRORS) > 50


@pytest.mark.parametrize("name", ERRORS)
def test_hint_exists_for_every_custom_error(name):
    assert name in _HINTS, f"no hint for {name}: add one to opencommons/chain/revert_hints.py"


def test_hint_names_missing_role_and_how_to_get_it():
    text = hint("AccessControlUnauthorizedAccount", ["0xabc", keccak(text="VALIDATOR_ROLE")])
    assert text is not None and "lacks the validator role" in text and "--grant ROLE ADDR" in text
    assert "lacks the admin role" in hint("AccessControlUnauthorizedAccount", ["0xabc", bytes(32)])


def test_hint_with_unexpected_fields_falls_back_to_none():
    assert hint("DatasetNFTTooManyParents", []) is None
