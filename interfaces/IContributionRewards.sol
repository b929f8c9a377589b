// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IContributionRewards
/// @notice Governance rewards an Accepted dataset's contributors with newly minted governance
/// tokens, pro rata to their shares, once per dataset: accepted data earns voting power.
interface IContributionRewards {
    /// @notice Thrown when `datasetId` was rewarded before.
    error ContributionRewardsAlreadyRewarded(uint256 datasetId);
    /// @notice Thrown when `datasetId` is not Accepted.
    error ContributionRewardsDatasetNotAccepted(uint256 datasetId);
    /// @notice Thrown when `account` holds no share in the dataset or the list is not sorted
    /// ascending (which also rules out duplicates).
    error ContributionRewardsInvalidContributor(uint256 datasetId, address account);
    /// @notice Thrown when the listed contributors' shares do not cover the whole dataset.
    error ContributionRewardsIncompleteContributors(uint256 datasetId, uint256 totalBps);
    /// @notice Thrown when the reward amount is zero.
    error ContributionRewardsZeroAmount();

    /// @notice Emitted when `account` receives `amount` for its share in `datasetId`.
    event ContributionRewarded(uint256 indexed datasetId, address indexed account, uint16 shareBps, uint256 amount);

    /// @notice Mints `amount` governance tokens to the contributors of `datasetId` pro rata to
    /// their shares (rounding remainder to the last listed).
    /// @dev Requirements: the caller is the owner (the timelock); the dataset is Accepted and not
    /// rewarded before; `contributors` lists every contributor exactly once, sorted ascending.
    /// Emits a {ContributionRewarded} event per contributor.
    function reward(uint256 datasetId, uint256 amount, address[] calldata contributors) external;

    /// @notice Whether `datasetId` has been rewarded.
    function isRewarded(uint256 datasetId) external view returns (bool);
}
