// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRoyaltyVault
/// @notice Royalties for datasets, in ETH or allow-listed ERC-20 tokens, credited to each
/// dataset's contributors by share and claimed by them (pull). A dataset derived from parents
/// passes its declared ancestor share up to them through a pending balance that anyone settles.
/// @dev Per dataset and token one accumulator, `earnedPerBps`, counts what each basis point of
/// share has earned so far; a contributor is owed `shareBps * (earnedPerBps - checkpoint)`. A
/// payment updates one accumulator and a claim one checkpoint, so neither costs more with more
/// contributors. What does not divide into 10,000 basis points stays in the pool as `carry`
/// (tracked dust) and is added to the dataset's next payment, so no wei is lost or paid twice.
/// The native currency is written as token `address(0)`.
///
/// Pools, checkpoints and pending ancestor balances are keyed by dataset id and generation
/// (see {IDatasetNFT-burn}): a burnt squat's unclaimed royalties are forfeited to the treasury
/// and the rightful dataset that takes the id starts from clean pools. A Rejected dataset takes
/// no payment and its contributors cannot claim until governance reinstates it. Every unit the
/// vault owes is counted per token, so whatever it holds above that (sent by mistake, forced
/// ETH) can be swept to the treasury.
interface IRoyaltyVault {
    // ------------------------------------------------------------------ types
    /// @notice A dataset's pool for one token.
    struct Pool {
        uint128 earnedPerBps; // wei (or token units) earned by each basis point of share so far
        uint112 outstanding; // credited to the contributors and not claimed yet
        uint16 carry; // the remainder below 10,000 units, added to the next payment
    }

    /// @notice What a model was trained on, in one slot: the Merkle root of its (dataset id,
    /// weight) leaves, its first 24 bytes (a proof is checked against them: 2^192 work to forge),
    /// and the sum of the weights (zero: no record).
    struct TrainingRecord {
        bytes24 root;
        uint64 totalWeight;
    }

    /// @notice A model's training pool in one token.
    struct TrainingPool {
        uint256 perWeight; // settled per unit of weight so far, scaled by 1e18
        uint256 balance; // settled and not pulled yet (rounding dust stays here)
    }

    // ------------------------------------------------------------------ errors
    /// @notice Thrown when an amount is zero.
    error RoyaltyVaultZeroAmount();
    /// @notice Thrown when the ETH sent does not equal the amount (or ETH is sent with a token).
    error RoyaltyVaultValueMismatch(uint256 value, uint256 amount);
    /// @notice Thrown when `token` is not allow-listed.
    error RoyaltyVaultTokenNotAllowed(address token);
    /// @notice Thrown when a token transfer delivered a different amount (fee-on-transfer, rebasing).
    error RoyaltyVaultAmountNotReceived(address token, uint256 expected, uint256 received);
    /// @notice Thrown when a claim finds nothing owed.
    error RoyaltyVaultNothingToClaim(address account);
    /// @notice Thrown when a consent gate's DatasetRights is not about this vault's DatasetNFT.
    error RoyaltyVaultInvalidRights(address rights);
    /// @notice Thrown when the protocol fee is above its cap or the treasury is zero.
    error RoyaltyVaultInvalidFee(uint16 feeBps, address treasury);
    /// @notice Thrown when ETH is sent to the vault outside a receiver collection.
    error RoyaltyVaultUnexpectedEther(address sender);
    /// @notice Thrown when an address argument is zero.
    error RoyaltyVaultZeroAddress();
    /// @notice Thrown when money is offered for a dataset that takes none (unknown or Rejected).
    error RoyaltyVaultDatasetClosed(uint256 datasetId);
    /// @notice Thrown when a forfeit names the dataset's current generation (or a later one).
    error RoyaltyVaultGenerationLive(uint256 datasetId, uint16 generation);
    /// @notice Thrown when a taken-down dataset's forfeit comes from an account without the takedown role.
    error RoyaltyVaultNotTakedown(address caller);
    /// @notice Thrown when a taken-down dataset's forfeit names a dataset that is not suspended.
    error RoyaltyVaultNotSuspended(uint256 datasetId);
    /// @notice Thrown when the vault holds no more of `token` than it owes.
    error RoyaltyVaultNothingToSweep(address token);
    /// @notice Only the dataset NFT records a model's training data, as it publishes the model.
    error RoyaltyVaultNotDatasets(address caller);
    /// @notice The model's training record is set already, to another (a new version records new training).
    error RoyaltyVaultTrainingRecordSet(uint256 modelId);
    /// @notice A training record needs a root and a total weight of 1 to 2^64 - 1.
    error RoyaltyVaultInvalidTrainingRecord(uint256 modelId);
    /// @notice The model has no training record.
    error RoyaltyVaultNoTrainingRecord(uint256 modelId);
    /// @notice The proof does not show `weight` for `datasetId` under the model's training root.
    error RoyaltyVaultInvalidTrainingProof(uint256 modelId, uint256 datasetId, uint256 weight);

    // ------------------------------------------------------------------ events
    /// @notice Emitted when `payer` pays `amount` of `token` for `datasetId`: `fee` to the
    /// treasury, `ancestorShare` to the pending ancestor balance, `contributorShare` to the pool.
    event RoyaltyPaid(
        uint256 indexed datasetId,
        address indexed token,
        address indexed payer,
        uint256 amount,
        uint256 fee,
        uint256 ancestorShare,
        uint256 contributorShare,
        uint256 earnedPerBps,
        uint16 carry
    );
    /// @notice Emitted when `account` claims `amount` of `token` earned in `datasetId`.
    event RoyaltyClaimed(
        uint256 indexed datasetId, address indexed token, address indexed account, uint256 amount, uint256 earnedPerBps
    );
    /// @notice Emitted when the pending ancestor balance of `datasetId` is credited to its parents.
    event AncestorRoyaltySettled(uint256 indexed datasetId, address indexed token, uint256 amount, uint256[] parents);
    /// @notice Emitted when `amount` of `token` collected at a dataset's ERC-2981 receiver
    /// enters the vault.
    event ReceiverCollected(uint256 indexed datasetId, address indexed token, address receiver, uint256 amount);
    /// @notice Emitted when a token that is not allow-listed is collected for `datasetId`: it is
    /// held (`held` in all) until governance allow-lists it and someone collects again.
    event RoyaltyHeld(uint256 indexed datasetId, address indexed token, uint256 amount, uint256 held);
    /// @notice Emitted when a burnt generation's unclaimed royalties in `token` go to the treasury.
    event RoyaltyForfeited(uint256 indexed datasetId, uint16 indexed generation, address indexed token, uint256 amount);
    /// @notice Emitted when what the vault held above what it owes in `token` goes to the treasury.
    event Swept(address indexed token, address indexed treasury, uint256 amount);
    /// @notice Emitted when the treasury's accrued fees in `token` are paid out to it.
    event TreasuryClaimed(address indexed token, address indexed treasury, uint256 amount);
    /// @notice Emitted when `token` is added to or removed from the allow-list.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice Emitted when governance sets the protocol fee and the treasury.
    event ProtocolFeeSet(uint16 feeBps, address indexed treasury);
    /// @notice Emitted when governance requires consent before a share is claimed (`rights`), or
    /// lifts the requirement (zero).
    event ConsentGateSet(address indexed rights);
    /// @notice Emitted when a model is published with what it was trained on: the Merkle root of
    /// its (dataset id, weight) leaves, OpenZeppelin's standard tree, and the sum of the weights.
    event TrainingRecordSet(uint256 indexed modelId, uint16 generation, bytes32 root, uint64 totalWeight);
    /// @notice Emitted when a model's ancestor share is settled into its training pool.
    event TrainingShareAccrued(uint256 indexed modelId, address indexed token, uint256 amount);
    /// @notice Emitted when a training dataset pulls its weight's share of a model's training pool.
    event TrainingSharePulled(
        uint256 indexed modelId, uint256 indexed datasetId, address indexed token, uint256 amount
    );

    /// @notice Initialises a clone in the transaction that creates it (the CommonsFactory does;
    /// a directly deployed vault was initialised by its constructor). A clone's dataset NFT is
    /// its immutable argument (ERC-1167 with appended arguments, see OpenZeppelin's `Clones`).
    /// @param admin gets the admin, allow-list and fee roles (the commons' timelock)
    /// @param treasury the account protocol fees accrue to
    /// @param feeBps the protocol fee, at most MAX_PROTOCOL_FEE_BPS
    /// @param allowedTokens ERC-20 tokens accepted from the start (the native currency always is)
    /// @param consentRights the commons' DatasetRights when claims wait for consent from the start
    /// (as {setConsentGate}), else zero
    /// @dev Requirements: never initialised before; a nonzero NFT argument and treasury.
    function initialize(
        address admin,
        address treasury,
        uint16 feeBps,
        address[] calldata allowedTokens,
        address consentRights
    ) external;

    // ------------------------------------------------------------------ functions
    /// @notice Pays `amount` of `token` (address(0) for ETH, sent as value) for `datasetId`.
    /// @dev Requirements: the dataset exists; amount > 0; for ETH `msg.value == amount`, for a
    /// token it is allow-listed, no ETH is sent, and exactly `amount` arrives (pulled with
    /// SafeERC20 after the payer's approval). Emits a {RoyaltyPaid} event.
    function pay(uint256 datasetId, address token, uint256 amount) external payable;

    /// @notice Claims everything the caller is owed in each of `tokens` from each of `datasetIds`.
    /// @dev With a consent gate ({setConsentGate}), a contributor that has not consented to a
    /// dataset's current generation (or withdrew) gets nothing from it: its share stays in the
    /// pool, held, until it consents. Requirements: something is owed. One transfer per token. Emits a {RoyaltyClaimed}
    /// event for each (dataset, token) with a non-zero amount.
    /// @return amounts what was paid out, per token
    function claim(uint256[] calldata datasetIds, address[] calldata tokens) external returns (uint256[] memory amounts);

    /// @notice As {claim} for `account`; the money goes to `account`, so anyone may trigger it.
    function claimFor(address account, uint256[] calldata datasetIds, address[] calldata tokens)
        external
        returns (uint256[] memory amounts);

    /// @notice As {claim}, but what the caller is owed goes to `recipient`.
    /// @dev For a contributor whose own address cannot receive (a contract that rejects ETH, an
    /// address a token blocklists), whose share would otherwise be stranded. Only the caller's
    /// own earnings move. Requirements: `recipient` is not the zero address
    /// ({RoyaltyVaultZeroAddress}); something is owed. Emits a {RoyaltyClaimed} event (account:
    /// the caller) for each (dataset, token) with a non-zero amount.
    function claimTo(address recipient, uint256[] calldata datasetIds, address[] calldata tokens)
        external
        returns (uint256[] memory amounts);

    /// @notice Credits the pending ancestor balance of each of `datasetIds` (in order) to its
    /// parents, split equally (the remainder to the first parent). Settling a lineage bottom-up
    /// in one call carries the money as far up as it goes. Anyone may call it.
    /// @dev Datasets with nothing pending are skipped. A parent that takes no money (Rejected,
    /// or burnt) has its part go to the treasury. Emits an {AncestorRoyaltySettled} event each.
    function settle(uint256[] calldata datasetIds, address token) external;

    /// @notice Deploys (if needed) the ERC-2981 receiver of `datasetId` and credits what it holds
    /// in `token` (address(0) for ETH) to the dataset as a payment. Anyone may call it.
    /// @dev Marketplaces pay royalties in the sale currency, so any ERC-20 can be collected: the
    /// amount that arrives (balance difference) is credited when the token is allow-listed, and
    /// otherwise held for the dataset until it is (then the next collect credits it too).
    /// Requirements: the dataset takes money ({RoyaltyVaultDatasetClosed}). Emits
    /// {ReceiverCollected}, then {RoyaltyPaid} when something was credited or {RoyaltyHeld}.
    /// @return amount what arrived from the receiver
    function collect(uint256 datasetId, address token) external returns (uint256 amount);

    /// @notice Sends the unclaimed royalties and held tokens of a burnt generation of `datasetId` in
    /// each of `tokens` to the treasury, and its pending ancestor share to the parents it had (as
    /// {settle} would have). Anyone may call it.
    /// @dev Requirements: `generation` is older than the id's current one
    /// ({RoyaltyVaultGenerationLive}). Emits {AncestorRoyaltySettled} per token with a pending
    /// ancestor share and a {RoyaltyForfeited} event per token with money left.
    function forfeit(uint256 datasetId, uint16 generation, address[] calldata tokens) external;

    /// @notice Sends the unclaimed royalties and held tokens of a taken-down dataset's current
    /// generation in each of `tokens` to the treasury (and its pending ancestor share to its
    /// parents), as {forfeit} does for a burnt one: the final decision of an upheld dispute.
    /// @dev Requirements: the caller holds the dataset NFT's takedown role (the commons'
    /// DatasetRights; {RoyaltyVaultNotTakedown}); the dataset is suspended
    /// ({RoyaltyVaultNotSuspended}). The forfeited generation must never be restored: its
    /// contributors' checkpoints still count what they were owed, so their claims would revert.
    function forfeitTakenDown(uint256 datasetId, address[] calldata tokens) external;

    /// @notice Sends what the vault holds in `token` above everything it owes to the treasury
    /// (tokens sent to it by mistake, ETH forced on it). Anyone may call it.
    /// @dev Requirements: there is something above what is owed ({RoyaltyVaultNothingToSweep}).
    /// Emits a {Swept} event.
    function sweep(address token) external returns (uint256 amount);

    /// @notice Pays the treasury the fees accrued in `token`. Anyone may call it.
    /// @dev Emits a {TreasuryClaimed} event.
    function claimTreasury(address token) external returns (uint256 amount);

    /// @notice Adds `token` to or removes it from the allow-list.
    /// @notice Records what generation `generation` of model `modelId` was trained on, as the
    /// dataset NFT publishes it ({IDatasetNFT-publishModel}): `root` of OpenZeppelin's standard
    /// Merkle tree of (uint256 datasetId, uint256 weight) leaves, whose weights sum to
    /// `totalWeight`. Settling the model's ancestor share credits that generation's training pool
    /// (one write, whatever the number of datasets). Each publication of an id is a generation of
    /// its own: a copier displaced by the first committer leaves no record in the way.
    /// @dev Requirements: the caller is the dataset NFT; a non-zero root and total weight; no
    /// record for the generation yet. Emits a {TrainingRecordSet} event.
    function recordTraining(uint256 modelId, uint16 generation, bytes32 root, uint64 totalWeight) external;

    /// @notice Moves `datasetId`'s share of the training pool of generation `generation` of model
    /// `modelId` (its weight over the total, of everything settled since its last pull) into the
    /// dataset's own pool, where its contributors (and its own ancestors) are paid as by any
    /// payment. Anyone may call it; a burnt generation's pool is still pulled from.
    /// @dev Requirements: `proof` shows (datasetId, weight) under that generation's root. A dataset
    /// that takes no money sends its share to the treasury. Never pays out more than the pool
    /// holds. Emits a {TrainingSharePulled} event per token with a non-zero amount.
    function pullTrainingShare(
        uint256 modelId,
        uint16 generation,
        uint256 datasetId,
        uint256 weight,
        bytes32[] calldata proof,
        address[] calldata tokens
    ) external returns (uint256[] memory amounts);

    /// @notice A model generation's training record: its root's first 24 bytes and its total
    /// weight (zero: none).
    function trainingRecordOf(uint256 modelId, uint16 generation)
        external
        view
        returns (bytes24 root, uint64 totalWeight);

    /// @notice What a training dataset of `weight` can pull now from generation `generation` of
    /// model `modelId` in `token` (the proof is checked when it pulls).
    function trainingShareOf(uint256 modelId, uint16 generation, uint256 datasetId, uint256 weight, address token)
        external
        view
        returns (uint256);

    /// @notice A model generation's training pool: the amount settled per unit of weight (scaled
    /// by 1e18) and what it holds.
    function trainingPoolOf(uint256 modelId, uint16 generation, address token)
        external
        view
        returns (uint256 perWeight, uint256 balance);

    /// @dev Requirements: the allow-list role. Emits a {TokenAllowed} event.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Sets the protocol fee (at most {MAX_PROTOCOL_FEE_BPS}) and the treasury.
    /// @dev Requirements: the fee role. Emits a {ProtocolFeeSet} event.
    function setProtocolFee(uint16 feeBps, address treasury) external;

    /// @notice Requires consent before a contributor claims its share (`rights`: the commons'
    /// DatasetRights), or lifts the requirement (zero).
    /// @dev Requirements: the admin role (the timelock); `rights` answers for this vault's
    /// DatasetNFT ({RoyaltyVaultInvalidRights}). Emits a {ConsentGateSet} event.
    function setConsentGate(address rights) external;

    /// @notice The DatasetRights whose consents the claims wait for (zero: no gate).
    function consentGate() external view returns (address);

    /// @notice What `account` could claim now in `token` from `datasetId` (0 while it is
    /// Rejected or suspended, and, with a consent gate, until `account` consents).
    function claimable(uint256 datasetId, address token, address account) external view returns (uint256);

    /// @notice The pool of `datasetId`'s current generation in `token`.
    function poolOf(uint256 datasetId, address token) external view returns (Pool memory);

    /// @notice The ancestor share of `datasetId`'s current generation in `token` waiting to be settled.
    function pendingAncestorOf(uint256 datasetId, address token) external view returns (uint256);

    /// @notice The fees accrued for the treasury in `token` and not yet paid out.
    function treasuryAccrued(address token) external view returns (uint256);

    /// @notice Everything the vault owes in `token`: pools, pending ancestor shares, held
    /// receiver tokens and the treasury's accrual.
    function owed(address token) external view returns (uint256);

    /// @notice What is held for `datasetId`'s current generation in `token`, collected while it was not allow-listed.
    function heldOf(uint256 datasetId, address token) external view returns (uint256);

    /// @notice The pool of `datasetId` in `token` for one `generation` (see {poolOf} for the current one).
    function poolAt(uint256 datasetId, uint16 generation, address token) external view returns (Pool memory);

    /// @notice The protocol fee in basis points and the treasury it goes to.
    function protocolFee() external view returns (uint16 feeBps, address treasury);

    /// @notice Whether `token` may be used for payments (ETH always may).
    function isTokenAllowed(address token) external view returns (bool);

    /// @notice The address of `datasetId`'s ERC-2981 receiver (it may not be deployed yet).
    function royaltyReceiverOf(uint256 datasetId) external view returns (address);

    /// @notice The dataset NFT whose shares this vault pays out.
    function datasets() external view returns (address);

    /// @notice The highest protocol fee, in basis points.
    function MAX_PROTOCOL_FEE_BPS() external view returns (uint16);
}
