// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ICommonsToken} from "../interfaces/ICommonsToken.sol";
import {IContributionRewards} from "../interfaces/IContributionRewards.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";

/// @title ContributionRewards
/// @notice The reward distributor: only the timelock (its owner) calls it, in one proposal action.
contract ContributionRewards is IContributionRewards, Ownable {
    IDatasetNFT private immutable _DATASETS;
    ICommonsToken private immutable _TOKEN;

    mapping(uint256 datasetId => bool) private _rewarded;

    /// @param owner_ the timelock
    constructor(IDatasetNFT datasets_, ICommonsToken token, address owner_) Ownable(owner_) {
        _DATASETS = datasets_;
        _TOKEN = token;
    }

    /// @inheritdoc IContributionRewards
    function reward(uint256 datasetId, uint256 amount, address[] calldata contributors) external onlyOwner {
        if (amount == 0) revert ContributionRewardsZeroAmount();
        if (_rewarded[datasetId]) revert ContributionRewardsAlreadyRewarded(datasetId);
        if (_DATASETS.statusOf(datasetId) != IDatasetNFT.Status.Accepted) {
            revert ContributionRewardsDatasetNotAccepted(datasetId);
        }
        _rewarded[datasetId] = true;
        uint256 n = contributors.length;
        uint16[] memory shares = new uint16[](n);
        uint256 totalBps = 0;
        address previous = address(0);
        for (uint256 i; i < n; ++i) {
            address account = contributors[i];
            uint16 share = _DATASETS.shareOf(datasetId, account);
            if (share == 0 || account <= previous) revert ContributionRewardsInvalidContributor(datasetId, account);
            shares[i] = share;
            totalBps += share;
            previous = account;
        }
        if (totalBps != RoyaltyConstants.BPS) revert ContributionRewardsIncompleteContributors(datasetId, totalBps);
        uint256 distributed = 0;
        for (uint256 i; i < n; ++i) {
            uint256 part = i == n - 1 ? amount - distributed : amount * shares[i] / RoyaltyConstants.BPS;
            distributed += part;
            _TOKEN.mint(contributors[i], part);
            emit ContributionRewarded(datasetId, contributors[i], shares[i], part);
        }
    }

    /// @inheritdoc IContributionRewards
    function isRewarded(uint256 datasetId) external view returns (bool) {
        return _rewarded[datasetId];
    }
}
