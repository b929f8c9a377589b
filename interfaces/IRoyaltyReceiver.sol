// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRoyaltyReceiver
/// @notice A dataset's ERC-2981 royalty receiver: it accepts plain ETH transfers (even with the
/// 2,300 gas stipend) and any ERC-20 a marketplace sends, and releases what it holds to the
/// vault, which credits the dataset.
interface IRoyaltyReceiver {
    /// @notice Thrown when someone other than the vault asks for a release.
    error RoyaltyReceiverUnauthorized(address caller);

    /// @notice Sends the whole balance to the vault.
    /// @dev Requirements: the caller is the vault.
    function release() external returns (uint256 amount);

    /// @notice Sends the whole balance of ERC-20 `token` to the vault.
    /// @dev Requirements: the caller is the vault. SafeERC20, so a token that returns false reverts.
    /// Returns nothing: the vault counts what arrived by its own balance (fee-on-transfer tokens).
    function releaseToken(address token) external;
}
