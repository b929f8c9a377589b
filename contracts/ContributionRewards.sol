// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ICommonsToken} from "../interfaces/ICommonsToken.sol";
import {IContributionRewards} from "../interfaces/IContributionRewards.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";

/// @title ContributionRewards
/// @notice The reward distributor: the timelock (its owner) records a reward per dataset in one
/// proposal action; each contributor claims its part.
contract ContributionRewards is IContributionRewards, Ownable {
    IDatasetNFT private immutable _DATASETS;
    ICommonsToken private immutable _TOKEN;

    mapping(uint256 datasetId => mapping(uint16 generation => uint256 amount)) private _rewards;
    mapping(uint256 datasetId => mapping(uint16 generation => mapping(address account => bool))) private _claimed;

    /// @param owner_ the timelock
    constructor(IDatasetNFT datasets_, ICommonsToken token, address owner_) Ownable(owner_) {
        _DATASETS = datasets_;
        _TOKEN = token;
    }

    /// @inheritdoc IContributionRewards
    function reward(uint256 datasetId, uint256 amount) external onlyOwner {
        if (amount == 0) revert ContributionRewardsZeroAmount();
        if (_DATASETS.statusOf(datasetId) != IDatasetNFT.Status.Accepted) {
            revert ContributionRewardsDatasetNotAccepted(datasetId);
        }
        uint16 generation = _DATASETS.generationOf(datasetId);
        if (_rewards[datasetId][generation] != 0) revert ContributionRewardsAlreadyRewarded(datasetId);
        _rewards[datasetId][generation] = amount;
        emit DatasetRewarded(datasetId, generation, amount);
    }

    /// @inheritdoc IContributionRewards
    function claimFor(address account, uint256[] calldata datasetIds) external returns (uint256 total) {
        for (uint256 i; i < datasetIds.length; ++i) {
            uint256 datasetId = datasetIds[i];
            (uint16 share, uint16 generation) = _DATASETS.claimShareOf(datasetId, account);
            uint256 amount = _rewards[datasetId][generation];
            if (share == 0 || amount == 0 || _claimed[datasetId][generation][account]) continue;
            _claimed[datasetId][generation][account] = true;
            uint256 part = amount * share / RoyaltyConstants.BPS;
            total += part;
            emit ContributionRewarded(datasetId, account, share, part);
        }
        if (total == 0) revert ContributionRewardsNothingToClaim(account);
        _TOKEN.mint(account, total);
    }

    /// @inheritdoc IContributionRewards
    function claimableOf(uint256 datasetId, address account) external view returns (uint256) {
        (uint16 share, uint16 generation) = _DATASETS.claimShareOf(datasetId, account);
        if (_claimed[datasetId][generation][account]) return 0;
        return _rewards[datasetId][generation] * share / RoyaltyConstants.BPS;
    }

    /// @inheritdoc IContributionRewards
    function rewardOf(uint256 datasetId) external view returns (uint256) {
        uint16 generation = _DATASETS.generationOf(datasetId);
        return _rewards[datasetId][generation];
    }

    /// @inheritdoc IContributionRewards
    function isRewarded(uint256 datasetId) external view returns (bool) {
        uint16 generation = _DATASETS.generationOf(datasetId);
        return _rewards[datasetId][generation] != 0;
    }
}
