"""DataBlob: write limits, reads past the end, binary search by address."""
import os

import brownie
import pytest
from brownie import web3


@pytest.fixture(scope="module")
def harness(DataBlobHarness, admin):
    return DataBlobHarness.deploy({"from": admin})


def test_write_stores_data_behind_a_stop_byte(harness, admin):
    data = os.urandom(100)
    blob = harness.write(data, {"from": admin}).events["Written"]["blob"]
    assert bytes(web3.eth.get_code(blob)) == b"\x00" + data
    assert bytes(harness.readWord(blob, 0)) == data[:32]
    assert bytes(harness.readWord(blob, 90)) == data[90:] + bytes(22)  # zero past the end


def test_write_accepts_the_largest_blob(harness, admin):
    data = os.urandom(24_575)
    blob = harness.write(data, {"from": admin}).events["Written"]["blob"]
    assert len(web3.eth.get_code(blob)) == 24_576


@pytest.mark.parametrize("size", [24_576, 65_536])
def test_write_reverts_when_too_large(harness, admin, size):
    # 65,536 would wrap the 2-byte length in the creation code to 1 without the check
    with brownie.reverts("DataBlobWriteFailed: "):
        harness.write(bytes(size), {"from": admin})


def test_find_by_address_finds_each_record_and_nothing_else(harness, admin):
    keys = sorted((os.urandom(20) for _ in range(33)), key=lambda k: int.from_bytes(k, "big"))
    records = [key + i.to_bytes(2, "big") for i, key in enumerate(keys)]
    blob = harness.write(b"head" + b"".join(records), {"from": admin}).events["Written"]["blob"]
    for i, key in enumerate(keys):
        entry = bytes(harness.findByAddress(blob, 4, 22, len(keys), "0x" + key.hex()))
        assert entry[:22] == records[i]
    for missing in [bytes(20), b"\xff" * 20, os.urandom(20)]:
        assert int(harness.findByAddress(blob, 4, 22, len(keys), "0x" + missing.hex()).hex(), 16) == 0
