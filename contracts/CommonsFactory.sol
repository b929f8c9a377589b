// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

import {ICommonsFactory} from "../interfaces/ICommonsFactory.sol";
import {ICommonsToken} from "../interfaces/ICommonsToken.sol";
import {IContributionRewards} from "../interfaces/IContributionRewards.sol";
import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {IDatasetAttestations} from "../interfaces/IDatasetAttestations.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IDatasetNFTDeployer} from "../interfaces/IDatasetNFTDeployer.sol";
import {ILicenseManager} from "../interfaces/ILicenseManager.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";
import {CommonsGovernor} from "./CommonsGovernor.sol";

/// @title CommonsFactory
/// @notice One per chain: launches a whole commons in one transaction and keeps the directory.
contract CommonsFactory is ICommonsFactory {
    uint256 private constant _MAX_CODE_LENGTH = 64;
    bytes32 private constant _ADMIN = 0x00; // DEFAULT_ADMIN_ROLE
    bytes32 private constant _CURATOR = keccak256("CURATOR_ROLE");

    address private immutable _REGISTRY;
    address private immutable _NFT_DEPLOYER;
    address private immutable _ATTESTATIONS;
    address private immutable _VAULT;
    address private immutable _LICENSES;
    address private immutable _TOKEN;
    address private immutable _GOVERNOR;
    address private immutable _TIMELOCK;
    address private immutable _REWARDS;

    Commons[] private _commons;
    string[] private _codes;
    mapping(bytes32 codeHash => uint256 indexPlusOne) private _indexOf;

    /// @param templates the implementations clones run; `datasets` is the DatasetNFTDeployer
    constructor(Commons memory templates) {
        _REGISTRY = templates.registry;
        _NFT_DEPLOYER = templates.datasets;
        _ATTESTATIONS = templates.attestations;
        _VAULT = templates.vault;
        _LICENSES = templates.licenses;
        _TOKEN = templates.token;
        _GOVERNOR = templates.governor;
        _TIMELOCK = templates.timelock;
        _REWARDS = templates.rewards;
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc ICommonsFactory
    function createCommons(CommonsConfig calldata config) external returns (Commons memory m) {
        bytes32 codeHash = keccak256(bytes(config.code));
        if (bytes(config.code).length == 0 || bytes(config.code).length > _MAX_CODE_LENGTH) {
            revert CommonsFactoryInvalidCode(config.code);
        }
        if (_indexOf[codeHash] != 0) revert CommonsFactoryCodeTaken(config.code);
        if (config.holders.length != config.amounts.length) {
            revert CommonsFactoryAllocationMismatch(config.holders.length, config.amounts.length);
        }
        m.registry = Clones.clone(_REGISTRY);
        m.timelock = Clones.clone(_TIMELOCK);
        m.token = Clones.clone(_TOKEN);
        m.governor = Clones.clone(_GOVERNOR);
        m.rewards = Clones.clone(_REWARDS);
        m.attestations = Clones.clone(_ATTESTATIONS);
        m.licenses = Clones.clone(_LICENSES);
        m.datasets = IDatasetNFTDeployer(_NFT_DEPLOYER).deploy(
            IContributorRegistry(m.registry), address(this), config.governance.minCommitAge, config.governance.commitTtl
        );
        m.vault = Clones.cloneWithImmutableArgs(_VAULT, abi.encode(m.datasets));

        _initGovernance(m, config);
        _initDatasets(m, config);
        uint256 index = _commons.length;
        _commons.push(m);
        _codes.push(config.code);
        _indexOf[codeHash] = index + 1;
        emit CommonsCreated(codeHash, index, msg.sender, config.code, m);
    }

    /// @inheritdoc ICommonsFactory
    function commonsOf(string calldata code) external view returns (Commons memory) {
        uint256 indexPlusOne = _indexOf[keccak256(bytes(code))];
        if (indexPlusOne == 0) revert CommonsFactoryUnknownCode(code);
        return _commons[indexPlusOne - 1];
    }

    /// @inheritdoc ICommonsFactory
    function commonsAt(uint256 index) external view returns (string memory code, Commons memory commons) {
        if (index >= _commons.length) revert CommonsFactoryUnknownIndex(index);
        return (_codes[index], _commons[index]);
    }

    /// @inheritdoc ICommonsFactory
    function commonsCount() external view returns (uint256) {
        return _commons.length;
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
            rewards: _REWARDS
        });
    }

    // ------------------------------------------------------------------ private
    /// @dev Timelock (the governor its only proposer and canceller, anyone executes, no admin but
    /// itself), token (genesis allocations, the rest in the treasury), governor, rewards.
    function _initGovernance(Commons memory m, CommonsConfig calldata config) private {
        address[] memory proposers = new address[](1);
        proposers[0] = m.governor;
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
            CommonsGovernor.Settings(g.votingDelay, g.votingPeriod, g.proposalThreshold, g.quorumPercent)
        );
        IContributionRewards(m.rewards).initialize(m.datasets, m.token, m.attestations, m.timelock);
    }

    /// @dev Registry, vault, licences, attestations, then the NFT, whose admin this factory is
    /// until it hands every role to the timelock (and the bootstrap curators) and leaves.
    function _initDatasets(Commons memory m, CommonsConfig calldata config) private {
        IContributorRegistry(m.registry).initialize(m.timelock, config.verifiers);
        address treasury = config.treasury == address(0) ? m.timelock : config.treasury;
        IRoyaltyVault(m.vault).initialize(m.timelock, treasury, config.feeBps, config.allowedTokens);
        ILicenseManager(m.licenses).initialize(m.datasets, m.vault);
        IDatasetAttestations(m.attestations).initialize(m.datasets, m.timelock, config.validators);

        IDatasetNFT nft = IDatasetNFT(m.datasets);
        nft.setRoyaltyVault(m.vault);
        nft.setDefaultRoyalty(config.defaultRoyaltyBps);
        IAccessControl roles = IAccessControl(m.datasets);
        roles.grantRole(_CURATOR, m.timelock);
        for (uint256 i; i < config.curators.length; ++i) {
            roles.grantRole(_CURATOR, config.curators[i]);
        }
        roles.grantRole(_ADMIN, m.timelock);
        roles.renounceRole(_ADMIN, address(this));
    }
}
