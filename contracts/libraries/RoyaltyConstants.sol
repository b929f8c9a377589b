// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RoyaltyConstants
/// @notice The bounds of the royalty stack, shared by the dataset NFT (checked at publish) and
/// the royalty vault (applied on payment).
library RoyaltyConstants {
    /// @notice Basis points in a whole.
    uint16 internal constant BPS = 10_000;
    /// @notice The highest protocol fee governance may set.
    uint16 internal constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice The highest share of its income a dataset may pass to its parents: with the
    /// largest fee, the stack never exceeds 100%.
    uint16 internal constant MAX_ANCESTOR_BPS = BPS - MAX_PROTOCOL_FEE_BPS;
}
