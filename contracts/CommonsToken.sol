// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {ERC20VotesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20VotesUpgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";

import {ICommonsToken} from "../interfaces/ICommonsToken.sol";

/// @title CommonsToken
/// @notice Voting power over the commons: curation, roles, rewards and treasury.
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}).
contract CommonsToken is
    ICommonsToken,
    ERC20Upgradeable,
    ERC20PermitUpgradeable,
    ERC20VotesUpgradeable,
    AccessControlUpgradeable
{
    // ------------------------------------------------------------------ constants
    /// @inheritdoc ICommonsToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    // ------------------------------------------------------------------ constructor
    /// @param admin the account given the admin and minter roles (the timelock once wired)
    /// @param initialHolder receives `initialSupply` (the genesis distribution)
    constructor(string memory name_, string memory symbol_, address admin, address initialHolder, uint256 initialSupply)
        initializer
    {
        address[] memory holders = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        (holders[0], amounts[0]) = (initialHolder, initialSupply);
        _initToken(name_, symbol_, admin, address(0), holders, amounts);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc ICommonsToken
    function initialize(
        string calldata name_,
        string calldata symbol_,
        address admin,
        address minter,
        address[] calldata holders,
        uint256[] calldata amounts
    ) external initializer {
        _initToken(name_, symbol_, admin, minter, holders, amounts);
    }

    /// @inheritdoc ICommonsToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    // ------------------------------------------------------------------ public
    /// @inheritdoc ERC20PermitUpgradeable
    function nonces(address owner) public view override(ERC20PermitUpgradeable, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }

    /// @notice `account`'s delegate: itself until it delegates to another. Every holder votes
    /// with its own balance without a transaction, and a first receipt writes no delegate slot
    /// (the stored self-delegation it replaces cost a fresh slot and an event, about 24,000 gas).
    /// @dev Delegating to the zero address is refused, so an unset delegate can only mean "self".
    function delegates(address account) public view override returns (address) {
        address delegatee = super.delegates(account);
        return delegatee == address(0) ? account : delegatee;
    }

    // ------------------------------------------------------------------ internal
    function _update(address from, address to, uint256 value)
        internal
        override(ERC20Upgradeable, ERC20VotesUpgradeable)
    {
        super._update(from, to, value);
    }

    /// @dev Delegating to the zero address would silently drop the holder's votes: refused.
    function _delegate(address account, address delegatee) internal override {
        if (delegatee == address(0)) revert CommonsTokenZeroDelegatee(account);
        super._delegate(account, delegatee);
    }

    // ------------------------------------------------------------------ private
    function _initToken(
        string memory name_,
        string memory symbol_,
        address admin,
        address minter,
        address[] memory holders,
        uint256[] memory amounts
    ) private onlyInitializing {
        if (holders.length != amounts.length) revert CommonsTokenAllocationMismatch(holders.length, amounts.length);
        __ERC20_init(name_, symbol_);
        __ERC20Permit_init(name_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
        if (minter != address(0)) _grantRole(MINTER_ROLE, minter);
        for (uint256 i; i < holders.length; ++i) {
            if (amounts[i] != 0) _mint(holders[i], amounts[i]);
        }
    }
}
