// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

import {ICommonsCharter} from "../interfaces/ICommonsCharter.sol";
import {ICommonsFactory} from "../interfaces/ICommonsFactory.sol";
import {ICommonsToken} from "../interfaces/ICommonsToken.sol";
import {IContributionRewards} from "../interfaces/IContributionRewards.sol";
import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {IDatasetAttestations} from "../interfaces/IDatasetAttestations.sol";
import {IDatasetRights} from "../interfaces/IDatasetRights.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IDatasetNFTDeployer} from "../interfaces/IDatasetNFTDeployer.sol";
import {ILicenseManager} from "../interfaces/ILicenseManager.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";
import {CommonsCharter} from "./CommonsCharter.sol";
import {CommonsGovernor} from "./CommonsGovernor.sol";
import {ContributorVotes} from "./ContributorVotes.sol";

/// @title CommonsFactory
/// @notice One per chain: launches a whole commons in one transaction and keeps the directory.
/// @dev The directory stores only codes: a commons' clones are CREATE2 clones salted by its code
/// (their addresses follow from the code alone), its NFT is read back from its licence manager
/// and its vault's address follows from the NFT. So the directory is written before any call.
contract CommonsFactory is ICommonsFactory {
    uint256 private constant _MAX_CODE_LENGTH = 64;
    bytes32 private constant _ADMIN = 0x00; // DEFAULT_ADMIN_ROLE
    bytes32 private constant _CURATOR = keccak256("CURATOR_ROLE");
    bytes32 private constant _TAKEDOWN = keccak256("TAKEDOWN_ROLE");

    address private immutable _REGISTRY;
    address private immutable _NFT_DEPLOYER;
    address private immutable _ATTESTATIONS;
    address private immutable _VAULT;
    address private immutable _LICENSES;
    address private immutable _TOKEN;
    address private immutable _GOVERNOR;
    address private immutable _TIMELOCK;
    address private immutable _REWARDS;
    address private immutable _RIGHTS;
    address private immutable _HOUSE;
    address private immutable _CONTRIBUTORS_GOVERNOR;
    address private immutable _CHARTER;

    string[] private _codes;
    mapping(bytes32 codeHash => uint256 indexPlusOne) private _indexOf;
    mapping(bytes32 codeHash => address creator) private _creatorOf;

    /// @param templates_ the implementations clones run; `datasets` is the DatasetNFTDeployer
    constructor(Commons memory templates_) {
        _REGISTRY = templates_.registry;
        _NFT_DEPLOYER = templates_.datasets;
        _ATTESTATIONS = templates_.attestations;
        _VAULT = templates_.vault;
        _LICENSES = templates_.licenses;
        _TOKEN = templates_.token;
        _GOVERNOR = templates_.governor;
        _TIMELOCK = templates_.timelock;
        _REWARDS = templates_.rewards;
        _RIGHTS = templates_.rights;
        _HOUSE = templates_.house;
        _CONTRIBUTORS_GOVERNOR = templates_.contributorsGovernor;
        _CHARTER = templates_.charter;
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc ICommonsFactory
    function createCommons(CommonsConfig calldata config) external returns (Commons memory m) {
        bytes32 codeHash = _checkedKey(config.code);
        if (_indexOf[codeHash] != 0) revert CommonsFactoryCodeTaken(config.code);
        if (config.holders.length != config.amounts.length) {
            revert CommonsFactoryAllocationMismatch(config.holders.length, config.amounts.length);
        }
        uint256 index = _codes.length;
        _codes.push(config.code);
        _indexOf[codeHash] = index + 1;
        _creatorOf[codeHash] = msg.sender;

        m.registry = Clones.cloneDeterministic(_REGISTRY, _salt(codeHash, 0));
        m.timelock = Clones.cloneDeterministic(_TIMELOCK, _salt(codeHash, 1));
        m.token = Clones.cloneDeterministic(_TOKEN, _salt(codeHash, 2));
        m.governor = Clones.cloneDeterministicWithImmutableArgs(_GOVERNOR, abi.encode(m.token), _salt(codeHash, 3));
        m.rewards = Clones.cloneDeterministic(_REWARDS, _salt(codeHash, 4));
        m.attestations = Clones.cloneDeterministic(_ATTESTATIONS, _salt(codeHash, 5));
        m.licenses = Clones.cloneDeterministic(_LICENSES, _salt(codeHash, 6));
        m.datasets = IDatasetNFTDeployer(_NFT_DEPLOYER).deploy(
            IContributorRegistry(m.registry), address(this), config.governance.minCommitAge, config.governance.commitTtl
        );
        m.vault = Clones.cloneDeterministicWithImmutableArgs(_VAULT, abi.encode(m.datasets), _salt(codeHash, 7));
        m.rights = Clones.cloneDeterministic(_RIGHTS, _salt(codeHash, 8));
        m.house = Clones.cloneDeterministic(_HOUSE, _salt(codeHash, 9));
        m.contributorsGovernor = Clones.cloneDeterministicWithImmutableArgs(
            _CONTRIBUTORS_GOVERNOR, abi.encode(m.house), _salt(codeHash, 10)
        );
        m.charter = Clones.cloneDeterministic(_CHARTER, _salt(codeHash, 11));

        _initGovernance(m, config);
        _initHouses(m, config);
        _initDatasets(m, config);
        emit CommonsCreated(codeHash, index, msg.sender, config.code, m);
    }

    /// @inheritdoc ICommonsFactory
    function commonsOf(string calldata code) external view returns (Commons memory) {
        bytes32 codeHash = _key(bytes(code));
        if (_indexOf[codeHash] == 0) revert CommonsFactoryUnknownCode(code);
        return _addresses(codeHash);
    }

    /// @inheritdoc ICommonsFactory
    function creatorOf(string calldata code) external view returns (address creator) {
        creator = _creatorOf[_key(bytes(code))];
        if (creator == address(0)) revert CommonsFactoryUnknownCode(code);
    }

    /// @inheritdoc ICommonsFactory
    function commonsAt(uint256 index) external view returns (string memory code, Commons memory commons) {
        if (index >= _codes.length) revert CommonsFactoryUnknownIndex(index);
        code = _codes[index];
        commons = _addresses(_key(bytes(code)));
    }

    /// @inheritdoc ICommonsFactory
    function commonsCount() external view returns (uint256) {
        return _codes.length;
    }

    /// @inheritdoc ICommonsFactory
    function templates() external view returns (Commons memory) {
        return Commons({
            registry: _REGISTRY,
            datasets: _NFT_DEPLOYER,
            attestations: _ATTESTATIONS,
            vault: _VAULT,
            licenses: _LICENSES,
            token: _TOKEN,
            governor: _GOVERNOR,
            timelock: _TIMELOCK,
            rewards: _REWARDS,
            rights: _RIGHTS,
            house: _HOUSE,
            contributorsGovernor: _CONTRIBUTORS_GOVERNOR,
            charter: _CHARTER
        });
    }

    // ------------------------------------------------------------------ private
    /// @dev The code's key after checking its character set: parts of [A-Za-z0-9._-], each starting
    /// with a letter or digit, separated by '/', 1 to 64 bytes.
    function _checkedKey(string calldata code) private pure returns (bytes32) {
        bytes calldata b = bytes(code);
        uint256 n = b.length;
        if (n == 0 || n > _MAX_CODE_LENGTH) revert CommonsFactoryInvalidCode(code);
        bool partStart = true;
        for (uint256 i; i < n; ++i) {
            bytes1 c = b[i];
            bool alnum = (c >= "0" && c <= "9") || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
            if (c == "/") {
                if (partStart) revert CommonsFactoryInvalidCode(code);
                partStart = true;
            } else if (alnum || (!partStart && (c == "." || c == "_" || c == "-"))) {
                partStart = false;
            } else {
                revert CommonsFactoryInvalidCode(code);
            }
        }
        if (partStart) revert CommonsFactoryInvalidCode(code); // ends with '/'
        return _key(b);
    }

    /// @dev keccak256 of the code with ASCII letters in lower case: codes differing only in case
    /// are one code (two look-alike commons cannot both exist).
    function _key(bytes memory code) private pure returns (bytes32) {
        bytes memory lower = new bytes(code.length);
        for (uint256 i; i < code.length; ++i) {
            bytes1 c = code[i];
            lower[i] = c >= "A" && c <= "Z" ? bytes1(uint8(c) + 32) : c;
        }
        return keccak256(lower);
    }

    function _salt(bytes32 codeHash, uint256 part) private pure returns (bytes32) {
        return keccak256(abi.encode(codeHash, part));
    }

    function _addresses(bytes32 codeHash) private view returns (Commons memory m) {
        m.registry = Clones.predictDeterministicAddress(_REGISTRY, _salt(codeHash, 0));
        m.timelock = Clones.predictDeterministicAddress(_TIMELOCK, _salt(codeHash, 1));
        m.token = Clones.predictDeterministicAddress(_TOKEN, _salt(codeHash, 2));
        m.governor = Clones.predictDeterministicAddressWithImmutableArgs(
            _GOVERNOR, abi.encode(m.token), _salt(codeHash, 3)
        );
        m.rewards = Clones.predictDeterministicAddress(_REWARDS, _salt(codeHash, 4));
        m.attestations = Clones.predictDeterministicAddress(_ATTESTATIONS, _salt(codeHash, 5));
        m.licenses = Clones.predictDeterministicAddress(_LICENSES, _salt(codeHash, 6));
        m.datasets = ILicenseManager(m.licenses).datasets();
        m.vault = Clones.predictDeterministicAddressWithImmutableArgs(
            _VAULT, abi.encode(m.datasets), _salt(codeHash, 7)
        );
        m.rights = Clones.predictDeterministicAddress(_RIGHTS, _salt(codeHash, 8));
        m.house = Clones.predictDeterministicAddress(_HOUSE, _salt(codeHash, 9));
        m.contributorsGovernor = Clones.predictDeterministicAddressWithImmutableArgs(
            _CONTRIBUTORS_GOVERNOR, abi.encode(m.house), _salt(codeHash, 10)
        );
        m.charter = Clones.predictDeterministicAddress(_CHARTER, _salt(codeHash, 11));
    }

    /// @dev Timelock (the two houses' governors its only proposers and cancellers, anyone executes,
    /// no admin but itself), token (genesis allocations, the rest in the treasury), governor, rewards.
    function _initGovernance(Commons memory m, CommonsConfig calldata config) private {
        address[] memory proposers = new address[](2);
        proposers[0] = m.governor;
        proposers[1] = m.contributorsGovernor;
        address[] memory executors = new address[](1); // the zero address: anyone executes
        TimelockControllerUpgradeable(payable(m.timelock)).initialize(
            config.governance.timelockDelay, proposers, executors, address(0)
        );

        uint256 n = config.holders.length;
        address[] memory holders = new address[](n + 1);
        uint256[] memory amounts = new uint256[](n + 1);
        for (uint256 i; i < n; ++i) {
            (holders[i], amounts[i]) = (config.holders[i], config.amounts[i]);
        }
        (holders[n], amounts[n]) = (m.timelock, config.treasuryAmount);
        ICommonsToken(m.token).initialize(config.tokenName, config.tokenSymbol, m.timelock, m.rewards, holders, amounts);

        Governance calldata g = config.governance;
        CommonsGovernor(payable(m.governor)).initialize(
            config.name,
            IVotes(m.token),
            TimelockControllerUpgradeable(payable(m.timelock)),
            CommonsGovernor.Settings(
                g.votingDelay, g.votingPeriod, g.proposalThreshold, g.quorumPercent, config.guardian, m.charter
            )
        );
        IContributionRewards(m.rewards).initialize(
            m.datasets, m.token, m.attestations, m.timelock, g.requireConsent ? m.rights : address(0)
        );
    }

    /// @dev Registry, vault, licences, attestations, then the NFT, whose admin this factory is
    /// until it hands every role to the timelock (and the bootstrap curators) and leaves.
    function _initDatasets(Commons memory m, CommonsConfig calldata config) private {
        IContributorRegistry(m.registry).initialize(m.timelock, config.verifiers, m.house);
        address treasury = config.treasury == address(0) ? m.timelock : config.treasury;
        IRoyaltyVault(m.vault).initialize(
            m.timelock, treasury, config.feeBps, config.allowedTokens,
            config.governance.requireConsent ? m.rights : address(0)
        );
        ILicenseManager(m.licenses).initialize(m.datasets, m.vault, m.rights);
        IDatasetAttestations(m.attestations).initialize(m.datasets, m.timelock, config.validators);
        _initRights(m, config);

        IDatasetNFT nft = IDatasetNFT(m.datasets);
        nft.setRoyaltyVault(m.vault);
        nft.setDefaultRoyalty(config.defaultRoyaltyBps);
        IAccessControl roles = IAccessControl(m.datasets);
        roles.grantRole(_CURATOR, m.timelock);
        for (uint256 i; i < config.curators.length; ++i) {
            roles.grantRole(_CURATOR, config.curators[i]);
        }
        roles.grantRole(_TAKEDOWN, m.rights);
        roles.grantRole(_ADMIN, m.timelock);
        roles.renounceRole(_ADMIN, address(this));
    }

    /// @dev The contributors' house (its votes, its governor) and the charter both houses queue through.
    function _initHouses(Commons memory m, CommonsConfig calldata config) private {
        Houses calldata h = config.houses;
        ContributorVotes(m.house).initialize(IContributorRegistry(m.registry), h.claimType);
        CommonsGovernor(payable(m.contributorsGovernor)).initialize(
            string.concat(config.name, " contributors"),
            IVotes(m.house),
            TimelockControllerUpgradeable(payable(m.timelock)),
            CommonsGovernor.Settings(
                h.votingDelay, h.votingPeriod, h.proposalThreshold, h.quorumPercent, config.guardian, m.charter
            )
        );
        CommonsCharter(m.charter).initialize(
            ICommonsCharter.Config(
                m.timelock, m.governor, m.contributorsGovernor, m.token, h.charterCid, h.superQuorumBps,
                h.defaultHouse, h.selectors, h.houses, h.caps
            )
        );
    }

    /// @dev Governance (the timelock) arbitrates disputes, and the council the config names.
    function _initRights(Commons memory m, CommonsConfig calldata config) private {
        uint256 n = config.arbiters.length;
        address[] memory arbiters = new address[](n + 1);
        arbiters[0] = m.timelock;
        for (uint256 i; i < n; ++i) {
            arbiters[i + 1] = config.arbiters[i];
        }
        Governance calldata g = config.governance;
        IDatasetRights(m.rights).initialize(
            m.datasets, m.timelock, arbiters, g.disputeBond, g.decisionWindow, g.appealWindow
        );
    }
}
