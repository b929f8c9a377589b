// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICommonsToken
/// @notice The commons' governance token (ERC-20 + ERC-2612 permit + ERC20Votes). A holder that
/// has never delegated is self-delegated on first receipt, so it can vote at once; an explicit
/// delegation (including `delegateBySig`) still works and wins.
interface ICommonsToken {
    /// @notice Thrown when delegating to the zero address.
    error CommonsTokenZeroDelegatee(address account);

    /// @notice Mints `amount` to `to`.
    /// @dev Requirements: the minter role (held by the timelock and the rewards distributor).
    /// Emits a {Transfer} event.
    function mint(address to, uint256 amount) external;

    /// @notice The role allowed to mint.
    function MINTER_ROLE() external view returns (bytes32);
}
