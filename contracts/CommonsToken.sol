// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {ICommonsToken} from "../interfaces/ICommonsToken.sol";

/// @title CommonsToken
/// @notice Voting power over the commons: curation, roles, rewards and treasury.
contract CommonsToken is ICommonsToken, ERC20, ERC20Permit, ERC20Votes, AccessControl {
    // ------------------------------------------------------------------ constants
    /// @inheritdoc ICommonsToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    // ------------------------------------------------------------------ constructor
    /// @param admin the account given the admin and minter roles (the timelock once wired)
    /// @param initialHolder receives `initialSupply` (the genesis distribution)
    constructor(address admin, address initialHolder, uint256 initialSupply)
        ERC20("OpenCommons", "OCT")
        ERC20Permit("OpenCommons")
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
        if (initialSupply != 0) _mint(initialHolder, initialSupply);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc ICommonsToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    // ------------------------------------------------------------------ public
    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    // ------------------------------------------------------------------ internal
    /// @dev Self-delegates a recipient that has never delegated, then moves the balance and votes.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        if (to != address(0) && delegates(to) == address(0)) _delegate(to, to);
        super._update(from, to, value);
    }

    /// @dev Delegating to the zero address would silently drop the holder's votes: refused.
    function _delegate(address account, address delegatee) internal override {
        if (delegatee == address(0)) revert CommonsTokenZeroDelegatee(account);
        super._delegate(account, delegatee);
    }
}
