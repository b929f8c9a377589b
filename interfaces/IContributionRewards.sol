// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IContributionRewards
/// @notice Governance rewards an Accepted dataset's contributors with newly minted governance
/// tokens, pro rata to their shares, once per dataset: accepted data earns voting power.
/// @dev Pull-based: governance records one amount per dataset (constant gas, so a dataset with
/// the most contributors is rewarded in one governance action) and each contributor claims its
/// part, `amount * shareBps / 10,000` rounded down (at most one unit per contributor is never
/// minted). Rewards are keyed by the dataset's generation, so a burnt squat's unclaimed reward
/// does not pass to the id's rightful publisher, and a Rejected dataset's contributors cannot
/// claim until governance reinstates it.
interface IContributionRewards {
    /// @notice Thrown when `datasetId` was rewarded before.
    error ContributionRewardsAlreadyRewarded(uint256 datasetId);
    /// @notice Thrown when `datasetId` is not Accepted.
    error ContributionRewardsDatasetNotAccepted(uint256 datasetId);
    /// @notice Thrown when the reward amount is zero.
    error ContributionRewardsZeroAmount();
    /// @notice Thrown when `account` has no unclaimed reward in the datasets named.
    error ContributionRewardsNothingToClaim(address account);

    /// @notice Emitted when governance rewards `datasetId`'s contributors with `amount` in all.
    event DatasetRewarded(uint256 indexed datasetId, uint16 indexed generation, uint256 amount);
    /// @notice Emitted when `account` claims `amount` for its share in `datasetId`.
    event ContributionRewarded(uint256 indexed datasetId, address indexed account, uint16 shareBps, uint256 amount);

    /// @notice Records a reward of `amount` governance tokens for the contributors of `datasetId`.
    /// @dev Requirements: the caller is the owner (the timelock); amount > 0; the dataset is
    /// Accepted and its generation not rewarded before. Emits a {DatasetRewarded} event.
    function reward(uint256 datasetId, uint256 amount) external;

    /// @notice Mints `account`'s part of the reward of each of `datasetIds`; anyone may call it
    /// (the tokens go to `account`).
    /// @dev Datasets without a reward, without a share for `account` or already claimed are
    /// skipped. Requirements: something is minted ({ContributionRewardsNothingToClaim}). Emits a
    /// {ContributionRewarded} event per dataset paid.
    /// @return total what was minted
    function claimFor(address account, uint256[] calldata datasetIds) external returns (uint256 total);

    /// @notice What `account` could claim now from `datasetId`'s reward.
    function claimableOf(uint256 datasetId, address account) external view returns (uint256);

    /// @notice The reward recorded for `datasetId`'s current generation (0 if none).
    function rewardOf(uint256 datasetId) external view returns (uint256);

    /// @notice Whether `datasetId`'s current generation has been rewarded.
    function isRewarded(uint256 datasetId) external view returns (bool);
}
