// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VotesUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/utils/VotesUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";

/// @title ContributorVotes
/// @notice The contributors' house's votes: one vote for each registered contributor whose identity
/// a verifier attested (the commons' identity claim), non-transferable and checkpointed like the
/// token's, so a proposal's snapshot counts who was a member then. Members delegate as token holders
/// do (a new member delegates to itself until it chooses otherwise).
/// @dev The registry calls {sync} whenever it attests or revokes a claim, or a contributor
/// deactivates or registers again; anyone may call it too (a claim that expired, which no
/// transaction announces). Deployed directly (the constructor initialises it) or cloned and
/// initialised by the CommonsFactory in the same transaction.
contract ContributorVotes is Initializable, VotesUpgradeable {
    // ------------------------------------------------------------------ errors
    /// @notice Thrown when a clone is initialised a second time or with a zero registry.
    error ContributorVotesZeroRegistry();

    // ------------------------------------------------------------------ events
    /// @notice Emitted when `account` gains (`member`) or loses its vote.
    event MembershipChanged(address indexed account, bool member);

    // ------------------------------------------------------------------ storage
    IContributorRegistry private _registry;
    bytes32 private _claimType;
    mapping(address account => bool) private _member;

    // ------------------------------------------------------------------ constructor
    /// @param registry_ the contributor registry (zero: a template clones run, never initialised)
    /// @param claimType_ the claim a verifier attests to make a contributor a member
    constructor(IContributorRegistry registry_, bytes32 claimType_) {
        if (address(registry_) == address(0)) {
            _disableInitializers();
        } else {
            _init(registry_, claimType_);
        }
    }

    // ------------------------------------------------------------------ external
    /// @notice Initialises a clone in the transaction that creates it.
    function initialize(IContributorRegistry registry_, bytes32 claimType_) external {
        _init(registry_, claimType_);
    }

    /// @notice Brings `account`'s vote in line with the registry: a vote while it is an active
    /// contributor with a live identity claim, none otherwise. Anyone may call it.
    /// @dev Emits a {MembershipChanged} event when the membership changes.
    function sync(address account) external {
        bool verified = _registry.isVerified(account, _claimType);
        if (verified == _member[account]) return;
        if (verified) {
            // a first delegation moves the units it holds: none yet, the vote is added below
            if (delegates(account) == address(0)) _delegate(account, account);
            _member[account] = true;
            _transferVotingUnits(address(0), account, 1);
        } else {
            _member[account] = false;
            _transferVotingUnits(account, address(0), 1);
        }
        emit MembershipChanged(account, verified);
    }

    /// @notice Whether `account` holds a vote now (see {sync}).
    function isMember(address account) external view returns (bool) {
        return _member[account];
    }

    /// @notice The registry whose verified contributors vote here.
    function registry() external view returns (IContributorRegistry) {
        return _registry;
    }

    /// @notice The claim a verifier attests to make a contributor a member.
    function claimType() external view returns (bytes32) {
        return _claimType;
    }

    /// @notice The number of members now (the house's total voting power).
    function totalMembers() external view returns (uint256) {
        return _getTotalSupply();
    }

    // ------------------------------------------------------------------ internal
    function _getVotingUnits(address account) internal view override returns (uint256) {
        return _member[account] ? 1 : 0;
    }

    // ------------------------------------------------------------------ private
    function _init(IContributorRegistry registry_, bytes32 claimType_) private initializer {
        if (address(registry_) == address(0)) revert ContributorVotesZeroRegistry();
        __EIP712_init("OpenCommons ContributorVotes", "1");
        __Votes_init();
        _registry = registry_;
        _claimType = claimType_;
    }
}
