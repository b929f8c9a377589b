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
    /// @notice Thrown when a consent gate's DatasetRights is not about this contract's DatasetNFT.
    error ContributionRewardsInvalidRights(address rights);
    /// @notice Thrown when a reward by quality is asked for while governance has set no policy.
    error ContributionRewardsNoQualityPolicy();
    /// @notice Thrown when a quality policy's minimum score is above 10,000.
    error ContributionRewardsInvalidMinScore(uint16 minScore);
    /// @notice Thrown when attestation `attestationId` does not exist or is not one of `kind` for
    /// `datasetId` (one no longer live skips the reward instead: {QualityRewardSkipped}).
    error ContributionRewardsInvalidAttestation(uint256 attestationId, uint256 datasetId, bytes32 kind);
    /// @notice Thrown when the attestations of a kind are not from validators in strictly ascending
    /// order (one attestation per validator), or there are none.
    error ContributionRewardsUnorderedValidators(uint256 attestationId);
    /// @notice Thrown when score weights do not sum to 10,000 basis points.
    error ContributionRewardsInvalidWeights();
    /// @notice Thrown when the median attested quality `score` is below the policy's `minScore`.
    error ContributionRewardsScoreTooLow(uint256 datasetId, uint16 score, uint16 minScore);

    /// @notice Emitted when governance rewards `datasetId`'s contributors with `amount` in all.
    event DatasetRewarded(uint256 indexed datasetId, uint16 indexed generation, uint256 amount);
    /// @notice Emitted when governance requires consent before a reward is claimed (`rights`), or
    /// lifts the requirement (zero).
    event ConsentGateSet(address indexed rights);
    /// @notice Emitted when `account` claims `amount` for its share in `datasetId`.
    event ContributionRewarded(uint256 indexed datasetId, address indexed account, uint16 shareBps, uint256 amount);
    /// @notice Emitted when governance sets the weights of the combined quality score.
    event ScoreWeightsSet(uint16[4] weights);
    /// @notice Emitted when governance sets the reward policy by quality.
    event QualityPolicySet(uint256 base, uint16 minScore);
    /// @notice Emitted when a reward is set by the policy: `quality` and `uniqueness` are the
    /// medians of the attestations named.
    event DatasetRewardedByQuality(uint256 indexed datasetId, uint16 quality, uint16 uniqueness, uint256 amount);
    /// @notice Emitted instead of a reward when `attestationId`, named by the governance action, is
    /// no longer live (revoked, of a burnt generation, or by a removed validator): the reward is
    /// skipped, and the rest of the action (the acceptance it is bundled with) still executes.
    event QualityRewardSkipped(uint256 indexed datasetId, uint256 attestationId);

    /// @notice Initialises a clone in the transaction that creates it (the CommonsFactory does;
    /// a directly deployed contract was initialised by its constructor).
    /// @param owner_ the commons' timelock
    /// @param consentRights the commons' DatasetRights when a reward waits for its contributor's
    /// consent from the start (as {setConsentGate}), else zero
    /// @dev Requirements: never initialised before.
    function initialize(address datasets_, address token, address attestations_, address owner_, address consentRights)
        external;

    /// @notice Records a reward of `amount` governance tokens for the contributors of `datasetId`.
    /// @dev Requirements: the caller is the owner (the timelock); amount > 0; the dataset is
    /// Accepted and its generation not rewarded before. Emits a {DatasetRewarded} event.
    function reward(uint256 datasetId, uint256 amount) external;

    /// @notice Sets the reward policy by quality: an Accepted dataset earns
    /// `base * quality * uniqueness / 10,000^2`, where quality and uniqueness are the medians of
    /// validators' attestations of kinds `quality` and `uniqueness` (scores 0 to 10,000), and
    /// nothing below `minScore` of quality. A near-copy of an earlier dataset attests a uniqueness
    /// close to 0 and earns close to nothing.
    /// @dev Requirements: the caller is the owner (the timelock); minScore <= 10,000. Emits a
    /// {QualityPolicySet} event. A base of 0 turns the policy off.
    function setQualityPolicy(uint256 base, uint16 minScore) external;

    /// @notice Records `datasetId`'s reward by the quality policy from the attestations named
    /// (a governance action: voters check that every live attestation of each kind is named).
    /// @dev Requirements: the caller is the owner; a policy is set; each list is non-empty, of
    /// attestations of `datasetId` of its kind, from validators in strictly ascending order;
    /// the median quality is at least the policy's minimum; then as {reward}. The median of an
    /// even count is the mean of the middle two, rounded down. Emits {DatasetRewardedByQuality}
    /// and {DatasetRewarded} events; or, when a named attestation is no longer live, a
    /// {QualityRewardSkipped} event and nothing else (no revert: a revocation between the vote
    /// and the execution must not undo the acceptance the action is bundled with).
    function rewardByQuality(uint256 datasetId, uint256[] calldata qualityAttestations,
                             uint256[] calldata uniquenessAttestations) external;

    /// @notice Sets the weights (basis points of integrity, validity, uniqueness, ownership, in that
    /// order) of the combined quality score the commons' validators compute and attest as `quality`
    /// (`commons dataset score` reads them from here).
    /// @dev Requirements: the caller is the owner (the timelock); the weights sum to 10,000. Emits a
    /// {ScoreWeightsSet} event.
    function setScoreWeights(uint16[4] calldata weights) external;

    /// @notice The combined score's weights (all 0 until governance sets them: the scorer's defaults).
    function scoreWeights() external view returns (uint16[4] memory);

    /// @notice The quality policy: base amount and minimum quality score.
    function qualityPolicy() external view returns (uint256 base, uint16 minScore);

    /// @notice Mints `account`'s part of the reward of each of `datasetIds`; anyone may call it
    /// (the tokens go to `account`).
    /// @dev Datasets without a reward, without a share for `account` or already claimed are
    /// skipped. Requirements: something is minted ({ContributionRewardsNothingToClaim}). Emits a
    /// {ContributionRewarded} event per dataset paid.
    /// @return total what was minted
    function claimFor(address account, uint256[] calldata datasetIds) external returns (uint256 total);

    /// @notice Requires consent before a contributor claims its part of a reward (`rights`: the
    /// commons' DatasetRights), or lifts the requirement (zero); a part not consented to stays unclaimed.
    /// @dev Requirements: the owner (the timelock); `rights` answers for this contract's
    /// DatasetNFT ({ContributionRewardsInvalidRights}). Emits a {ConsentGateSet} event.
    function setConsentGate(address rights) external;

    /// @notice The DatasetRights whose consents rewards wait for (zero: none).
    function consentGate() external view returns (address);

    /// @notice What `account` could claim now from `datasetId`'s reward.
    function claimableOf(uint256 datasetId, address account) external view returns (uint256);

    /// @notice The reward recorded for `datasetId`'s current generation (0 if none).
    function rewardOf(uint256 datasetId) external view returns (uint256);

    /// @notice Whether `datasetId`'s current generation has been rewarded.
    function isRewarded(uint256 datasetId) external view returns (bool);
}
