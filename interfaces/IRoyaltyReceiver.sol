// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRoyaltyReceiver
/// @notice A dataset's ERC-2981 royalty receiver: it accepts plain ETH transfers (even with the
/// 2,300 gas stipend) and releases what it holds to the vault, which credits the dataset.
interface IRoyaltyReceiver {
    /// @notice Thrown when someone other than the vault asks for a release.
    error RoyaltyReceiverUnauthorized(address caller);

    /// @notice Sends the whole balance to the vault.
    /// @dev Requirements: the caller is the vault.
    function release() external returns (uint256 amount);
}
