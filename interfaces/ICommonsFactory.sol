// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICommonsCharter} from "./ICommonsCharter.sol";

/// @title ICommonsFactory
/// @notice Launches a complete commons (registry, dataset NFT, attestations, royalty vault,
/// licences, governance token, governor, timelock, rewards) in one transaction, and keeps the
/// directory of every commons it launched, by code (unique) and by index.
/// @dev Eight contracts are ERC-1167 clones of templates deployed once per chain, each
/// initialised in the creating transaction so nobody can front-run an initialiser; the dataset
/// NFT, which every publish, payment and claim runs through, is deployed in full (see NOTES.md
/// for the measured trade). After a launch only the new commons' timelock holds an admin role.
interface ICommonsFactory {
    /// @notice Governance parameters a commons starts with (its governance can change them).
    struct Governance {
        uint48 votingDelay; // blocks
        uint32 votingPeriod; // blocks
        uint256 proposalThreshold; // token units
        uint256 quorumPercent; // 1..100
        uint256 timelockDelay; // seconds
        uint64 minCommitAge; // blocks between a publish commit and its reveal, at least
        uint64 commitTtl; // blocks between a publish commit and its reveal, at most
        uint128 disputeBond; // wei a dispute (and an appeal) is raised with
        uint64 decisionWindow; // seconds the arbiter has to decide a dispute or an appeal
        uint64 appealWindow; // seconds the losing side has to appeal
        bool requireConsent; // royalties and rewards reach a contributor only once it consented
    }

    /// @notice The contributors' house and the charter a commons starts with.
    struct Houses {
        bytes32 claimType; // the claim (attested by a verifier) that gives a contributor its vote
        uint48 votingDelay; // blocks, of the contributors' house
        uint32 votingPeriod; // blocks
        uint256 proposalThreshold; // votes (1: members propose)
        uint256 quorumPercent; // 1..100 of the members
        string charterCid; // the charter document, pinned
        uint16 superQuorumBps; // share of each house's votes in favour a rule change needs
        ICommonsCharter.House defaultHouse; // who must pass a call no rule names
        bytes4[] selectors; // rules: the house each selector needs
        ICommonsCharter.House[] houses;
        ICommonsCharter.Caps caps;
    }

    /// @notice Everything a launch needs.
    struct CommonsConfig {
        string code; // unique, e.g. "KE/education"
        string name; // the governor's name (and EIP-712 domain of signed ballots)
        string tokenName;
        string tokenSymbol;
        Governance governance;
        address[] holders; // genesis allocations ...
        uint256[] amounts; // ... and their amounts (token units)
        uint256 treasuryAmount; // genesis supply minted to the timelock (the treasury)
        address[] curators; // bootstrap roles, revocable by governance
        address[] verifiers;
        address[] validators;
        address[] arbiters; // decide disputes beside governance (a council), revocable by governance
        address guardian; // may cancel a proposal, with a reason (a Safe); governance replaces or removes it
        address[] allowedTokens; // ERC-20s the vault accepts from the start
        uint96 defaultRoyaltyBps; // ERC-2981 royalty marketplaces are asked for
        uint16 feeBps; // protocol fee on royalties
        address treasury; // where protocol fees accrue; zero for the timelock
        Houses houses; // the contributors' house and the charter
    }

    /// @notice The addresses of one commons.
    struct Commons {
        address registry;
        address datasets;
        address attestations;
        address vault;
        address licenses;
        address token;
        address governor;
        address timelock;
        address rewards;
        address rights;
        address house; // ContributorVotes: one vote per verified contributor
        address contributorsGovernor; // the contributors' house
        address charter; // which house decides what, the caps; queues every passed proposal
    }

    /// @notice Thrown when a code is empty, longer than 64 bytes, or not parts of ASCII letters,
    /// digits, '.', '_' and '-' (each starting with a letter or digit) separated by '/': no
    /// control, space, look-alike or other non-ASCII character can name a commons.
    error CommonsFactoryInvalidCode(string code);
    /// @notice Thrown when a commons with this code exists already (codes are compared without
    /// regard to case: "ke/education" is taken once "KE/education" is).
    error CommonsFactoryCodeTaken(string code);
    /// @notice Thrown when no commons has this code.
    error CommonsFactoryUnknownCode(string code);
    /// @notice Thrown when no commons has this index.
    error CommonsFactoryUnknownIndex(uint256 index);
    /// @notice Thrown when genesis holders and amounts differ in number.
    error CommonsFactoryAllocationMismatch(uint256 holders, uint256 amounts);

    /// @notice Emitted once per launch; `codeHash` is the keccak256 of the code in lower case.
    event CommonsCreated(
        bytes32 indexed codeHash, uint256 indexed index, address indexed creator, string code, Commons commons
    );

    /// @notice Launches a commons: deploys, initialises and wires all nine contracts.
    /// @dev Requirements: a valid, unused code; as many amounts as holders. Emits {CommonsCreated}.
    function createCommons(CommonsConfig calldata config) external returns (Commons memory commons);

    /// @notice The commons launched under `code` (any case).
    function commonsOf(string calldata code) external view returns (Commons memory);

    /// @notice The account that launched the commons under `code`: a code is its creator's, and a
    /// client adopts a commons as its own only when it launched it.
    /// @dev Requirements: a commons has the code, else {CommonsFactoryUnknownCode}.
    function creatorOf(string calldata code) external view returns (address);

    /// @notice The `index`-th commons launched (from 0).
    function commonsAt(uint256 index) external view returns (string memory code, Commons memory commons);

    /// @notice How many commons this factory launched.
    function commonsCount() external view returns (uint256);

    /// @notice The implementations clones run (`datasets` is the dataset NFT deployer).
    function templates() external view returns (Commons memory);
}
