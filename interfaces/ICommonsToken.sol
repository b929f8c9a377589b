// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICommonsToken
/// @notice The commons' governance token (ERC-20 + ERC-2612 permit + ERC20Votes). A holder that
/// has never delegated is its own delegate (nothing is stored: {delegates} answers itself), so
/// it can vote at once; an explicit delegation (including `delegateBySig`) still works and wins.
interface ICommonsToken {
    /// @notice Thrown when delegating to the zero address.
    error CommonsTokenZeroDelegatee(address account);

    /// @notice Thrown when a genesis distribution names a different number of holders and amounts.
    error CommonsTokenAllocationMismatch(uint256 holders, uint256 amounts);

    /// @notice Initialises a clone (the CommonsFactory calls it in the transaction that creates the
    /// clone; a directly deployed token was initialised by its constructor).
    /// @param admin gets the admin and minter roles (the commons' timelock)
    /// @param minter gets the minter role too (the rewards distributor), or the zero address
    /// @param holders receive `amounts` at genesis (self-delegated, so they can vote at once)
    /// @dev Requirements: never initialised before. Emits {Transfer} per holder.
    function initialize(
        string calldata name_,
        string calldata symbol_,
        address admin,
        address minter,
        address[] calldata holders,
        uint256[] calldata amounts
    ) external;

    /// @notice Mints `amount` to `to`.
    /// @dev Requirements: the minter role (held by the timelock and the rewards distributor).
    /// Emits a {Transfer} event.
    function mint(address to, uint256 amount) external;

    /// @notice The role allowed to mint.
    function MINTER_ROLE() external view returns (bytes32);
}
