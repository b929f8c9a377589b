// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {GovernorCountingSimpleUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorCountingSimpleUpgradeable.sol";
import {GovernorProposalGuardianUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorProposalGuardianUpgradeable.sol";
import {GovernorSettingsUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorSettingsUpgradeable.sol";
import {GovernorTimelockControlUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorTimelockControlUpgradeable.sol";
import {GovernorVotesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesUpgradeable.sol";
import {GovernorVotesQuorumFractionUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

import {CloneArgument} from "./libraries/CloneArgument.sol";

/// @title CommonsGovernor
/// @notice Token holders propose and vote; passed proposals run through the timelock, which
/// holds every role of the suite and the treasury. OpenZeppelin's Governor, composed as Tally
/// and other governance front-ends expect (votingDelay, votingPeriod, proposalThreshold,
/// quorum, COUNTING_MODE, CLOCK_MODE, timelock, castVoteBySig).
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}).
contract CommonsGovernor is
    GovernorUpgradeable,
    GovernorSettingsUpgradeable,
    GovernorCountingSimpleUpgradeable,
    GovernorVotesUpgradeable,
    GovernorVotesQuorumFractionUpgradeable,
    GovernorTimelockControlUpgradeable,
    GovernorProposalGuardianUpgradeable
{
    /// @notice The parameters a governor starts with (governance can change them later).
    struct Settings {
        uint48 votingDelay;
        uint32 votingPeriod;
        uint256 proposalThreshold;
        uint256 quorumPercent;
        address guardian; // may cancel a proposal, with a reason, and nothing else (zero: none)
        address charter; // the only account that may queue (a CommonsCharter: two houses); zero: anyone
    }

    // ------------------------------------------------------------------ errors
    /// @notice Thrown when a clone is initialised with another token than its clone argument.
    error CommonsGovernorTokenMismatch(address token, address cloneToken);
    /// @notice Thrown when the guardian cancels without a reason ({cancelWithReason} records one).
    error CommonsGovernorReasonRequired(uint256 proposalId);
    /// @notice Thrown when a proposal is queued other than through the commons' charter.
    error CommonsGovernorQueueThroughCharter(address charter);

    // ------------------------------------------------------------------ events
    /// @notice Emitted when the guardian cancels `proposalId`, with why, on the record.
    event ProposalCancelledWithReason(uint256 indexed proposalId, address indexed by, string reason);

    // ------------------------------------------------------------------ immutables
    /// @dev The votes token of a direct deployment; zero in the template clones run, whose token
    /// is the clone's argument. Read on every vote, proposal and quorum: never a storage read.
    IVotes private immutable _TOKEN;

    // ------------------------------------------------------------------ storage
    address private _charter;

    // ------------------------------------------------------------------ constructor
    /// @param name_ the governor's name, also its EIP-712 domain name (signed ballots)
    /// @param token_ the votes token; the zero address makes the template clones run, which can
    /// never be initialised
    constructor(string memory name_, IVotes token_, TimelockControllerUpgradeable timelock, Settings memory settings) {
        if (address(token_) == address(0)) {
            _disableInitializers();
        } else {
            _TOKEN = token_;
            _initGovernor(name_, token_, timelock, settings);
        }
    }

    // ------------------------------------------------------------------ external
    /// @notice Initialises a clone in the transaction that creates it (the CommonsFactory does,
    /// with the token as the clone's argument).
    /// @dev Requirements: never initialised before; `token_` is the clone's argument.
    function initialize(
        string calldata name_,
        IVotes token_,
        TimelockControllerUpgradeable timelock,
        Settings calldata settings
    ) external {
        address cloneToken = address(token());
        if (address(token_) != cloneToken) revert CommonsGovernorTokenMismatch(address(token_), cloneToken);
        _initGovernor(name_, token_, timelock, settings);
    }

    /// @notice Cancels a proposal during its vote or its timelock delay, saying why (the
    /// guardian's only power; a proposer may still cancel its own proposal before the vote).
    /// @dev Requirements: as {cancel}; a non-empty reason ({CommonsGovernorReasonRequired}).
    /// Emits a {ProposalCancelledWithReason} event after {ProposalCanceled}.
    function cancelWithReason(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash,
        string calldata reason
    ) external returns (uint256 proposalId) {
        proposalId = getProposalId(targets, values, calldatas, descriptionHash);
        if (bytes(reason).length == 0) revert CommonsGovernorReasonRequired(proposalId);
        if (!_validateCancel(proposalId, _msgSender())) revert GovernorUnableToCancel(proposalId, _msgSender());
        _cancel(targets, values, calldatas, descriptionHash);
        emit ProposalCancelledWithReason(proposalId, _msgSender(), reason);
    }

    // ------------------------------------------------------------------ public
    /// @inheritdoc GovernorUpgradeable
    /// @dev The guardian cancels only through {cancelWithReason}: every cancellation of its is on
    /// the record with why.
    function cancel(address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
        public
        override
        returns (uint256)
    {
        address guardian = proposalGuardian();
        if (guardian != address(0) && _msgSender() == guardian) {
            revert CommonsGovernorReasonRequired(getProposalId(targets, values, calldatas, descriptionHash));
        }
        return super.cancel(targets, values, calldatas, descriptionHash);
    }

    /// @inheritdoc GovernorUpgradeable
    /// @dev A signature the voter's key made is checked first; only another one is put to the
    /// voter's code (ERC-1271), as OpenZeppelin's would be. OpenZeppelin asks for the voter's code
    /// size first, which makes a relayed ballot touch a cold account (2,600 gas).
    function castVoteBySig(uint256 proposalId, uint8 support, address voter, bytes memory signature)
        public
        override
        returns (uint256)
    {
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(BALLOT_TYPEHASH, proposalId, support, voter, _useNonce(voter))));
        (address recovered, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecover(digest, signature);
        bool byKey = err == ECDSA.RecoverError.NoError && errArg == bytes32(0) && recovered == voter;
        if (!byKey && !SignatureChecker.isValidERC1271SignatureNow(voter, digest, signature)) {
            revert GovernorInvalidSignature(voter);
        }
        return _castVote(proposalId, voter, support, "");
    }

    /// @notice The charter through which passed proposals are queued (zero: none, anyone queues).
    function charter() external view returns (address) {
        return _charter;
    }

    /// @notice The votes token: the immutable of a direct deployment, or the clone's argument.
    function token() public view override returns (IERC5805) {
        IVotes token_ = _TOKEN;
        if (address(token_) == address(0)) token_ = IVotes(address(uint160(uint256(CloneArgument.word()))));
        return IERC5805(address(token_));
    }

    /// @notice Block numbers, the clock of the commons' token (ERC20Votes' default): answered
    /// here instead of by a call to the token on every vote.
    function clock() public view override(GovernorUpgradeable, GovernorVotesUpgradeable) returns (uint48) {
        return Time.blockNumber();
    }

    /// @notice The clock's description (EIP-6372), the token's own.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE()
        public
        pure
        override(GovernorUpgradeable, GovernorVotesUpgradeable)
        returns (string memory)
    {
        return "mode=blocknumber&from=default";
    }

    // ------------------------------------------------------------------ public (overrides)
    /// @inheritdoc GovernorUpgradeable
    function votingDelay() public view override(GovernorUpgradeable, GovernorSettingsUpgradeable) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc GovernorUpgradeable
    function votingPeriod() public view override(GovernorUpgradeable, GovernorSettingsUpgradeable) returns (uint256) {
        return super.votingPeriod();
    }

    /// @inheritdoc GovernorUpgradeable
    function quorum(uint256 blockNumber) public view override(GovernorUpgradeable, GovernorVotesQuorumFractionUpgradeable) returns (uint256) {
        return super.quorum(blockNumber);
    }

    /// @inheritdoc GovernorUpgradeable
    function state(uint256 proposalId) public view override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc GovernorUpgradeable
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc GovernorUpgradeable
    function proposalThreshold() public view override(GovernorUpgradeable, GovernorSettingsUpgradeable) returns (uint256) {
        return super.proposalThreshold();
    }

    // ------------------------------------------------------------------ internal (overrides)
    /// @dev The EIP-712 domain of signed ballots has one name and version for every governor of
    /// the suite (their address and chain id tell them apart; {name} still names each commons):
    /// constants, where OpenZeppelin reads two storage slots on every signed ballot (4,200 gas).
    /// Wallets read the domain from {eip712Domain} (EIP-5267).
    function _EIP712Name() internal pure override returns (string memory) {
        return "OpenCommons Governor";
    }

    function _EIP712Version() internal pure override returns (string memory) {
        return "1";
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint48) {
        address c = _charter;
        if (c != address(0) && _msgSender() != c) revert CommonsGovernorQueueThroughCharter(c);
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (address) {
        return super._executor();
    }

    /// @dev The guardian cancels any live proposal; without one, a proposer cancels its own only
    /// before the vote (OpenZeppelin's default: the extension would let it cancel at any point).
    function _validateCancel(uint256 proposalId, address caller)
        internal
        view
        override(GovernorUpgradeable, GovernorProposalGuardianUpgradeable)
        returns (bool)
    {
        address guardian = proposalGuardian();
        return (guardian != address(0) && caller == guardian) || GovernorUpgradeable._validateCancel(proposalId, caller);
    }

    // ------------------------------------------------------------------ private
    function _initGovernor(
        string memory name_,
        IVotes token_,
        TimelockControllerUpgradeable timelock,
        Settings memory settings
    ) private initializer {
        __Governor_init(name_);
        __GovernorSettings_init(settings.votingDelay, settings.votingPeriod, settings.proposalThreshold);
        __GovernorVotes_init(token_);
        __GovernorVotesQuorumFraction_init(settings.quorumPercent);
        __GovernorTimelockControl_init(timelock);
        if (settings.guardian != address(0)) _setProposalGuardian(settings.guardian);
        _charter = settings.charter;
    }
}
