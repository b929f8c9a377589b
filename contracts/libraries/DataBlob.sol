// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title DataBlob
/// @notice Immutable bytes kept as the code of a tiny contract ("SSTORE2"): writing costs one
/// CREATE plus 200 gas a byte instead of 22,100 gas a storage slot, and any slice can be read
/// back with EXTCODECOPY at a cost that does not depend on the blob's size.
/// @dev The stored code starts with a STOP byte so the blob can never be executed; offsets given
/// to the readers are offsets into the data (the STOP byte is skipped). OpenZeppelin 5.3 ships
/// no such helper: `Clones.cloneWithImmutableArgs` prepends a 45-byte proxy (9,000 gas more per
/// blob) and `fetchCloneArgs` always copies the whole blob.
library DataBlob {
    // ------------------------------------------------------------------ errors
    /// @notice Thrown when the blob contract could not be created (too large or out of gas).
    error DataBlobWriteFailed();

    // ------------------------------------------------------------------ constants
    /// @notice The most data a blob holds: EIP-170's code size limit less the STOP byte.
    uint256 internal constant MAX_SIZE = 24_575;

    // ------------------------------------------------------------------ internal
    /// @notice Stores `data` (at most {MAX_SIZE} bytes) and returns the address that holds it.
    /// @dev Creation code: PUSH2 len, DUP1, PUSH1 0x0a, PUSH0, CODECOPY, PUSH0, RETURN; then the
    /// runtime code, which is the STOP byte followed by `data`.
    function write(bytes memory data) internal returns (address blob) {
        // checked here, not left to CREATE: the 2-byte length below would wrap past 65,534
        if (data.length > MAX_SIZE) revert DataBlobWriteFailed();
        bytes memory creation = abi.encodePacked(
            hex"61", uint16(data.length + 1), hex"80600a5f395ff3", hex"00", data
        );
        assembly ("memory-safe") {
            blob := create(0, add(creation, 0x20), mload(creation))
        }
        if (blob == address(0)) revert DataBlobWriteFailed();
    }

    /// @notice How many bytes of data `blob` holds (its code less the STOP byte).
    function length(address blob) internal view returns (uint256) {
        return blob.code.length - 1;
    }

    /// @notice The 32 bytes of `blob`'s data starting at `offset` (zero-padded past the end).
    function readWord(address blob, uint256 offset) internal view returns (bytes32 word) {
        assembly ("memory-safe") {
            extcodecopy(blob, 0x00, add(offset, 1), 0x20)
            word := mload(0x00)
        }
    }

    /// @notice Binary search over `count` records of `stride` bytes starting at `offset`, sorted
    /// in ascending order of the address in each record's first 20 bytes.
    /// @dev One EXTCODECOPY and about 40 other opcodes a step (written in assembly: the checked
    /// Solidity loop cost 3x as much), so the cost grows with log2(count) only.
    /// @return entry the 32 bytes starting at the record whose address is `key`, or zero
    function findByAddress(address blob, uint256 offset, uint256 stride, uint256 count, address key)
        internal
        view
        returns (bytes32 entry)
    {
        assembly ("memory-safe") {
            let base := add(offset, 1)
            let low := 0
            let high := count
            for {} lt(low, high) {} {
                let middle := shr(1, add(low, high))
                extcodecopy(blob, 0x00, add(base, mul(middle, stride)), 0x20)
                let word := mload(0x00)
                let found := shr(96, word)
                if eq(found, key) {
                    entry := word
                    break
                }
                switch lt(found, key)
                case 1 { low := add(middle, 1) }
                default { high := middle }
            }
        }
    }
}
