// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";

import {ICommonsToken} from "../interfaces/ICommonsToken.sol";
import {IContributionRewards} from "../interfaces/IContributionRewards.sol";
import {IDatasetAttestations} from "../interfaces/IDatasetAttestations.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IDatasetRights} from "../interfaces/IDatasetRights.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";

/// @title ContributionRewards
/// @notice The reward distributor: the timelock (its owner) records a reward per dataset in one
/// proposal action, an amount or one computed by its quality policy from validators'
/// attestations; each contributor claims its part.
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}).
contract ContributionRewards is IContributionRewards, OwnableUpgradeable {
    bytes32 private constant _QUALITY = keccak256("quality");
    bytes32 private constant _UNIQUENESS = keccak256("uniqueness");
    bytes32 private constant _VALIDATOR_ROLE = keccak256("VALIDATOR_ROLE");
    uint16 private constant _MAX_SCORE = 10_000;

    IDatasetNFT private _datasets;
    ICommonsToken private _token;
    /// @dev Whether claims wait for consent: read with `_token`, in one slot, so an ungated claim pays nothing more.
    bool private _gated;
    IDatasetAttestations private _attestations;

    mapping(uint256 datasetId => mapping(uint16 generation => uint256 amount)) private _rewards;
    mapping(uint256 datasetId => mapping(uint16 generation => mapping(address account => bool))) private _claimed;
    uint256 private _qualityBase;
    uint16 private _minScore;
    uint16[4] private _scoreWeights;
    IDatasetRights private _consentRights;

    /// @param owner_ the timelock
    constructor(IDatasetNFT datasets_, ICommonsToken token, IDatasetAttestations attestations_, address owner_)
        initializer
    {
        _initRewards(address(datasets_), address(token), address(attestations_), owner_);
    }

    /// @inheritdoc IContributionRewards
    /// @dev The factory passes its own commons' DatasetRights (initialised in the same
    /// transaction): it is not asked for its dataset NFT here, as {setConsentGate} asks.
    function initialize(address datasets_, address token, address attestations_, address owner_, address consentRights)
        external
        initializer
    {
        _initRewards(datasets_, token, attestations_, owner_);
        if (consentRights != address(0)) {
            _consentRights = IDatasetRights(consentRights);
            _gated = true;
            emit ConsentGateSet(consentRights);
        }
    }

    /// @inheritdoc IContributionRewards
    function reward(uint256 datasetId, uint256 amount) external onlyOwner {
        _reward(datasetId, amount);
    }

    /// @inheritdoc IContributionRewards
    function setQualityPolicy(uint256 base, uint16 minScore) external onlyOwner {
        if (minScore > _MAX_SCORE) revert ContributionRewardsInvalidMinScore(minScore);
        _qualityBase = base;
        _minScore = minScore;
        emit QualityPolicySet(base, minScore);
    }

    /// @inheritdoc IContributionRewards
    function rewardByQuality(
        uint256 datasetId,
        uint256[] calldata qualityAttestations,
        uint256[] calldata uniquenessAttestations
    ) external onlyOwner {
        uint256 base = _qualityBase;
        if (base == 0) revert ContributionRewardsNoQualityPolicy();
        uint16 generation = _datasets.generationOf(datasetId);
        (uint16 quality, uint256 deadQuality) = _median(datasetId, generation, _QUALITY, qualityAttestations);
        (uint16 uniqueness, uint256 deadUnique) = _median(datasetId, generation, _UNIQUENESS, uniquenessAttestations);
        uint256 dead = deadQuality != 0 ? deadQuality : deadUnique;
        if (dead != 0) {
            emit QualityRewardSkipped(datasetId, dead);
            return;
        }
        if (quality < _minScore) revert ContributionRewardsScoreTooLow(datasetId, quality, _minScore);
        uint256 amount = base * quality * uniqueness / (uint256(_MAX_SCORE) * _MAX_SCORE);
        emit DatasetRewardedByQuality(datasetId, quality, uniqueness, amount);
        _reward(datasetId, amount);
    }

    /// @inheritdoc IContributionRewards
    function setScoreWeights(uint16[4] calldata weights) external onlyOwner {
        if (uint256(weights[0]) + weights[1] + weights[2] + weights[3] != _MAX_SCORE) {
            revert ContributionRewardsInvalidWeights();
        }
        _scoreWeights = weights;
        emit ScoreWeightsSet(weights);
    }

    /// @inheritdoc IContributionRewards
    function scoreWeights() external view returns (uint16[4] memory) {
        return _scoreWeights;
    }

    /// @inheritdoc IContributionRewards
    function qualityPolicy() external view returns (uint256 base, uint16 minScore) {
        return (_qualityBase, _minScore);
    }

    function _reward(uint256 datasetId, uint256 amount) private {
        if (amount == 0) revert ContributionRewardsZeroAmount();
        if (_datasets.statusOf(datasetId) != IDatasetNFT.Status.Accepted) {
            revert ContributionRewardsDatasetNotAccepted(datasetId);
        }
        uint16 generation = _datasets.generationOf(datasetId);
        if (_rewards[datasetId][generation] != 0) revert ContributionRewardsAlreadyRewarded(datasetId);
        _rewards[datasetId][generation] = amount;
        emit DatasetRewarded(datasetId, generation, amount);
    }

    /// @inheritdoc IContributionRewards
    function setConsentGate(address rights) external onlyOwner {
        if (rights != address(0) && IDatasetRights(rights).datasets() != address(_datasets)) {
            revert ContributionRewardsInvalidRights(rights);
        }
        _consentRights = IDatasetRights(rights);
        _gated = rights != address(0);
        emit ConsentGateSet(rights);
    }

    /// @inheritdoc IContributionRewards
    function consentGate() external view returns (address) {
        return address(_consentRights);
    }

    /// @inheritdoc IContributionRewards
    function claimFor(address account, uint256[] calldata datasetIds) external returns (uint256 total) {
        IDatasetRights rights = _gated ? _consentRights : IDatasetRights(address(0));
        for (uint256 i; i < datasetIds.length; ++i) {
            uint256 datasetId = datasetIds[i];
            (uint16 share, uint16 generation) = _datasets.claimShareOf(datasetId, account);
            uint256 amount = _rewards[datasetId][generation];
            if (share == 0 || amount == 0 || _claimed[datasetId][generation][account]) continue;
            if (address(rights) != address(0) && !rights.hasConsentedTo(datasetId, generation, account)) continue;
            _claimed[datasetId][generation][account] = true;
            uint256 part = amount * share / RoyaltyConstants.BPS;
            total += part;
            emit ContributionRewarded(datasetId, account, share, part);
        }
        if (total == 0) revert ContributionRewardsNothingToClaim(account);
        _token.mint(account, total);
    }

    /// @inheritdoc IContributionRewards
    function claimableOf(uint256 datasetId, address account) external view returns (uint256) {
        (uint16 share, uint16 generation) = _datasets.claimShareOf(datasetId, account);
        if (_claimed[datasetId][generation][account]) return 0;
        if (_gated && !_consentRights.hasConsentedTo(datasetId, generation, account)) return 0;
        return _rewards[datasetId][generation] * share / RoyaltyConstants.BPS;
    }

    /// @inheritdoc IContributionRewards
    function rewardOf(uint256 datasetId) external view returns (uint256) {
        uint16 generation = _datasets.generationOf(datasetId);
        return _rewards[datasetId][generation];
    }

    /// @inheritdoc IContributionRewards
    function isRewarded(uint256 datasetId) external view returns (bool) {
        uint16 generation = _datasets.generationOf(datasetId);
        return _rewards[datasetId][generation] != 0;
    }

    /// @dev The median score of the `kind` attestations of `datasetId` named in `ids`, one per
    /// validator (validators strictly ascending, as contributors are: no duplicate without a
    /// storage read), and the first named attestation that is no longer live (0 if all are):
    /// revoked, of a burnt generation, or by an account that lost the validator role. Insertion
    /// sort: governance names a handful of validators' attestations.
    function _median(uint256 datasetId, uint16 generation, bytes32 kind, uint256[] calldata ids)
        private
        view
        returns (uint16 median, uint256 dead)
    {
        if (ids.length == 0) revert ContributionRewardsUnorderedValidators(0);
        uint16[] memory scores = new uint16[](ids.length);
        address previous = address(0);
        for (uint256 i; i < ids.length; ++i) {
            IDatasetAttestations.Attestation memory a = _attestations.attestationOf(ids[i]);
            if (a.datasetId != datasetId || a.kind != kind || a.createdAt == 0) {
                revert ContributionRewardsInvalidAttestation(ids[i], datasetId, kind);
            }
            if (a.validator <= previous) revert ContributionRewardsUnorderedValidators(ids[i]);
            previous = a.validator;
            if (
                dead == 0
                    && (
                        a.revoked || a.generation != generation
                            || !IAccessControl(address(_attestations)).hasRole(_VALIDATOR_ROLE, a.validator)
                    )
            ) dead = ids[i];
            uint16 score = a.score;
            uint256 j = i;
            while (j > 0 && scores[j - 1] > score) {
                scores[j] = scores[j - 1];
                --j;
            }
            scores[j] = score;
        }
        uint256 middle = ids.length / 2;
        median = ids.length % 2 == 1 ? scores[middle] : uint16((uint256(scores[middle - 1]) + scores[middle]) / 2);
    }

    function _initRewards(address datasets_, address token, address attestations_, address owner_)
        private
        onlyInitializing
    {
        __Ownable_init(owner_);
        _datasets = IDatasetNFT(datasets_);
        _token = ICommonsToken(token);
        _attestations = IDatasetAttestations(attestations_);
    }
}
