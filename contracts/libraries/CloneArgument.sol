// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CloneArgument
/// @notice The one 32-byte immutable argument of an ERC-1167 clone made by OpenZeppelin's
/// `Clones.cloneDeterministicWithImmutableArgs`, read by the code the clone runs.
/// @dev The argument follows the clone's 45 bytes of proxy code: one EXTCODECOPY of the clone's
/// own, warm, code (~110 gas, against 2,100 for a cold storage slot and ~700 for OpenZeppelin's
/// `Clones.fetchCloneArgs`, which sizes, allocates and copies the whole argument). Meaningful
/// only in a clone: a contract that also runs deployed directly keeps its own immutable and reads
/// this only when that immutable is unset.
library CloneArgument {
    /// @notice The clone's argument (its first 32 bytes).
    function word() internal view returns (bytes32 argument) {
        assembly ("memory-safe") {
            extcodecopy(address(), 0, 0x2d, 0x20)
            argument := mload(0)
        }
    }
}
