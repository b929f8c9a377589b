// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetNFT} from "./IDatasetNFT.sol";

/// @title IDatasetRights
/// @notice The rights people keep over data once it is in the commons: contributors consent to
/// being named in a dataset (directly or by an EIP-712 signature a relayer submits) and may
/// withdraw their contribution, on the record with its time; anyone may dispute a dataset with
/// pinned evidence and a bond, an arbiter decides within a window, the losing side may appeal
/// within another, and a dataset under an upheld dispute is tombstoned (suspended in the
/// DatasetNFT: no sales, no payments, its royalties frozen, its licences suspended) until an
/// appeal reinstates it. Bonds move by pull.
interface IDatasetRights {
    /// @notice Why a dataset is disputed.
    enum Reason {
        PersonalData,
        Copyright,
        CulturalProtocol,
        UnlawfulContent,
        ImproperRegistration
    }

    /// @notice Where a dispute stands. Raised and Appealed wait for the arbiter; Upheld and
    /// Rejected wait out the appeal window; the last four are final.
    enum Stage {
        None,
        Raised,
        Upheld,
        Rejected,
        Appealed,
        UpheldFinal,
        RejectedFinal,
        Lapsed
    }

    /// @notice A contributor's consent to being named in a dataset, and its withdrawal.
    struct Consent {
        uint64 consentedAt; // 0: never consented
        uint64 withdrawnAt; // 0: not withdrawn
        uint16 generation; // the dataset's generation the record is about
        uint32 filesCodec;
        bytes32 purposes; // sha2-256 digest of the purposes document agreed to (0: the dataset's own terms)
        bytes32 filesDigest; // withdrawn files: digest of the list's CID (0: the whole contribution)
    }

    /// @notice A dispute as stored.
    struct Dispute {
        uint256 datasetId;
        address raiser;
        Reason reason;
        Stage stage;
        uint8 previousStatus; // the dataset's status before its suspension (0: not suspended)
        uint16 generation; // the dataset's generation when the dispute was raised
        address publisher; // the dataset's owner when the dispute was raised
        uint64 raisedAt;
        address appellant;
        uint64 decidedAt; // the last decision (or the appeal, while Appealed)
        uint128 bond;
        uint128 appealBond;
        bytes32 evidenceDigest; // sha2-256 digest of the evidence CID
        bytes32 answerDigest; // the publisher's answer (0: none yet)
        uint32 evidenceCodec;
        uint32 answerCodec;
    }

    /// @notice Thrown when the dataset does not exist.
    error DatasetRightsUnknownDataset(uint256 datasetId);
    /// @notice Thrown when `account` is not a contributor (no share) of `datasetId`.
    error DatasetRightsNotContributor(uint256 datasetId, address account);
    /// @notice Thrown when `account` already withdrew from `datasetId`'s current generation.
    error DatasetRightsAlreadyWithdrawn(uint256 datasetId, address account);
    /// @notice Thrown when a signature is used at or after its deadline.
    error DatasetRightsExpiredSignature(uint256 deadline);
    /// @notice Thrown when a signature was not made by `signer` over this request.
    error DatasetRightsInvalidSignature(address signer);
    /// @notice Thrown when the value sent is not the bond asked.
    error DatasetRightsWrongBond(uint256 sent, uint256 bond);
    /// @notice Thrown when `datasetId` already has dispute `disputeId` open or upheld.
    error DatasetRightsDisputeOpen(uint256 datasetId, uint256 disputeId);
    /// @notice Thrown when the dispute does not exist.
    error DatasetRightsUnknownDispute(uint256 disputeId);
    /// @notice Thrown when the dispute is at `stage`, where the call does not apply.
    error DatasetRightsWrongStage(uint256 disputeId, Stage stage);
    /// @notice Thrown when the window the call belongs to closed at `closedAt`.
    error DatasetRightsWindowClosed(uint256 disputeId, uint256 closedAt);
    /// @notice Thrown when the window the call waits for is open until `openUntil`.
    error DatasetRightsWindowOpen(uint256 disputeId, uint256 openUntil);
    /// @notice Thrown when `caller` is not the party the call is for.
    error DatasetRightsNotParty(uint256 disputeId, address caller);
    /// @notice Thrown when the dataset's status does not allow a suspension (it was burnt or rejected).
    error DatasetRightsNotSuspendable(uint256 datasetId, uint8 status);
    /// @notice Thrown when a window or the bond is out of range.
    error DatasetRightsInvalidSettings(uint256 bond, uint64 decisionWindow, uint64 appealWindow);
    /// @notice Thrown when `account` has no bond to withdraw.
    error DatasetRightsNothingToWithdraw(address account);
    /// @notice Thrown when `caller` is neither the dataset's owner nor an arbiter.
    error DatasetRightsNotOwnerOrArbiter(uint256 datasetId, address caller);
    /// @notice Thrown when erasure of `datasetId` was requested already (at `requestedAt`).
    error DatasetRightsErasureRequested(uint256 datasetId, uint64 requestedAt);
    /// @notice Thrown when no erasure of `datasetId` was requested.
    error DatasetRightsErasureNotRequested(uint256 datasetId);
    /// @notice Thrown when sending ETH to `to` failed.
    error DatasetRightsTransferFailed(address to);
    /// @notice Thrown when governance reissues a dataset before its owner's deadline passed (or
    /// nothing was withdrawn from it: `dueAt` 0).
    error DatasetRightsReissueNotDue(uint256 datasetId, uint64 dueAt);
    /// @notice Thrown when a reissue window is outside 1 hour .. 365 days.
    error DatasetRightsInvalidReissueWindow(uint64 window);

    /// @notice Emitted when `contributor` consents to being named in `datasetId`.
    event ConsentGiven(uint256 indexed datasetId, address indexed contributor, uint16 generation, bytes32 purposes);
    /// @notice Emitted when `contributor` withdraws its contribution (or the files named by
    /// `filesDigest`) from `datasetId`.
    event ContributionWithdrawn(
        uint256 indexed datasetId,
        address indexed contributor,
        uint16 generation,
        bytes32 filesDigest,
        uint32 filesCodec,
        uint64 withdrawnAt
    );
    /// @notice Emitted when a dispute is raised.
    event DisputeRaised(
        uint256 indexed disputeId,
        uint256 indexed datasetId,
        address indexed raiser,
        Reason reason,
        bytes32 evidenceDigest,
        uint32 evidenceCodec,
        uint256 bond
    );
    /// @notice Emitted when the publisher answers a dispute.
    event DisputeAnswered(uint256 indexed disputeId, bytes32 answerDigest, uint32 answerCodec);
    /// @notice Emitted when the arbiter decides a dispute or an appeal (`stage` is the result).
    event DisputeDecided(uint256 indexed disputeId, uint256 indexed datasetId, address indexed arbiter, Stage stage);
    /// @notice Emitted when the losing side appeals.
    event DisputeAppealed(uint256 indexed disputeId, address indexed appellant, uint256 bond);
    /// @notice Emitted when a dispute ends: `stage` is final, bonds are credited.
    event DisputeClosed(uint256 indexed disputeId, uint256 indexed datasetId, Stage stage);
    /// @notice Emitted when a bond (or part of one) is credited to `account`.
    event BondCredited(uint256 indexed disputeId, address indexed account, uint256 amount);
    /// @notice Emitted when `account` withdraws what it was credited.
    event BondWithdrawn(address indexed account, uint256 amount);
    /// @notice Emitted when the erasure of a private dataset's data keys is requested: every
    /// gateway holding them destroys them (crypto-shredding) and serves it no more.
    event ErasureRequested(uint256 indexed datasetId, address indexed by, uint64 requestedAt);
    /// @notice Emitted when the erasure's report (which gateways confirmed they destroyed the key,
    /// which did not answer) is recorded; recorded again as more gateways confirm.
    event ErasureRecorded(uint256 indexed datasetId, address indexed by, bytes32 reportDigest, uint32 reportCodec);
    /// @notice Emitted when governance sets the bond and the windows.
    event SettingsChanged(uint256 bond, uint64 decisionWindow, uint64 appealWindow);
    /// @notice Emitted when `signer` retires every signature it made and nobody relayed yet.
    event NonceInvalidated(address indexed signer, uint256 nonce);
    /// @notice Emitted when a final upheld dispute's dataset forfeits its royalties to the treasury.
    event RoyaltiesForfeited(uint256 indexed disputeId, uint256 indexed datasetId, address indexed by);
    /// @notice Emitted when governance publishes the version without what was withdrawn from
    /// `previousId` (the owner's deadline passed) and hands it to the owner.
    event DatasetReissued(uint256 indexed previousId, uint256 indexed datasetId, address indexed by, address owner);
    /// @notice Emitted when the commons' deadline for reissuing after a withdrawal (and for
    /// licensees to move to the reissue) changes.
    event ReissueWindowSet(uint64 window);

    /// @notice Initialises a clone in the transaction that creates it (a directly deployed
    /// contract was initialised by its constructor).
    /// @param admin gets the admin role (the timelock)
    /// @param arbiters get the arbiter role
    /// @dev Requirements: never initialised before; settings as {setSettings}.
    function initialize(
        address datasets_,
        address admin,
        address[] calldata arbiters,
        uint128 bond,
        uint64 decisionWindow,
        uint64 appealWindow
    ) external;

    /// @notice Consents, as the caller, to being named in `datasetId` for `purposes`.
    /// @dev Requirements: the caller has a share of the dataset. A later consent replaces an
    /// earlier one and undoes a withdrawal. Emits a {ConsentGiven} event.
    function consent(uint256 datasetId, bytes32 purposes) external;

    /// @notice Records `contributor`'s consent from its EIP-712 signature (gasless for it).
    /// @dev Signed struct: `Consent(uint256 datasetId,address contributor,bytes32 purposes,
    /// uint256 nonce,uint256 deadline)` in the domain ("OpenCommons DatasetRights", "1", this
    /// chain, this address); each nonce once. Requirements: before `deadline`; as {consent}.
    function consentWithSig(
        uint256 datasetId,
        address contributor,
        bytes32 purposes,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Withdraws the caller's contribution to `datasetId` (all of it when `filesDigest`
    /// is 0, else the files listed in the document whose CID digest it is).
    /// @dev Requirements: the caller has a share of the dataset; not withdrawn already from this
    /// generation. Emits a {ContributionWithdrawn} event.
    function withdraw(uint256 datasetId, bytes32 filesDigest, uint32 filesCodec) external;

    /// @notice The time by which the owner of `datasetId` should publish a version without what its
    /// contributors withdrew (the first withdrawal plus the reissue window; 0: nothing withdrawn).
    /// After it, governance (an arbiter) may publish that version ({reissue}).
    function reissueDueAt(uint256 datasetId) external view returns (uint64);

    /// @notice The time by which a licence to `datasetId` must move to its newest version: the
    /// reissue window after that version (or the withdrawal, if later), when something was
    /// withdrawn from `datasetId` and a newer version exists; 0 otherwise. After it the licence
    /// manager answers the old version's licences invalid ({ILicenseManager-migrate} moves one).
    function moveDueAt(uint256 datasetId) external view returns (uint64);

    /// @notice The commons' deadline for reissuing after a withdrawal, and for licensees to move.
    function reissueWindow() external view returns (uint64);

    /// @notice Sets {reissueWindow} (1 hour .. 365 days). Only the admin (governance).
    /// @dev Emits a {ReissueWindowSet} event.
    function setReissueWindow(uint64 window) external;

    /// @notice Publishes, for governance, the version of `previousId` without what its contributors
    /// withdrew, once the owner's deadline passed ({reissueDueAt}); the new token goes to the owner.
    /// @dev Requirements: the caller is an arbiter; the deadline passed ({DatasetRightsReissueNotDue});
    /// this contract is a registered contributor ({registerPublisher}) and
    /// `commitmentOf(previousId, params, address(this), salt)` was committed; as
    /// {IDatasetNFT-publishVersion}. Emits a {DatasetReissued} event.
    function reissue(uint256 previousId, IDatasetNFT.PublishParams calldata params, bytes32 salt)
        external
        returns (uint256 datasetId);

    /// @notice Registers this contract as a contributor (its profile pinned by the caller), so that
    /// it may publish reissues. Only an arbiter.
    function registerPublisher(bytes32 profileDigest, uint32 profileCodec) external;

    /// @notice Forfeits to the treasury the royalties of the dataset a dispute took down for good
    /// (stage UpheldFinal), in each of `tokens` ({IRoyaltyVault-forfeitTakenDown}). Anyone may call it.
    /// @dev Requirements: the dispute is UpheldFinal and suspended its dataset
    /// ({DatasetRightsWrongStage}). Emits a {RoyaltiesForfeited} event.
    function forfeitRoyalties(uint256 disputeId, address[] calldata tokens) external;

    /// @notice Retires the caller's unrelayed signatures (its next nonce). Emits a {NonceInvalidated} event.
    function invalidateNonce() external;

    /// @notice Disputes `datasetId` with evidence (a pinned document's CID digest) and the bond.
    /// @dev Requirements: the dataset exists; no other dispute of it is open or upheld; the value
    /// sent is the bond. Emits a {DisputeRaised} event.
    function raiseDispute(uint256 datasetId, Reason reason, bytes32 evidenceDigest, uint32 evidenceCodec)
        external
        payable
        returns (uint256 disputeId);

    /// @notice The publisher's answer to a dispute (a pinned document), while the arbiter decides.
    /// @dev Requirements: the caller is the publisher; the dispute is Raised or Appealed. Emits a
    /// {DisputeAnswered} event.
    function answer(uint256 disputeId, bytes32 answerDigest, uint32 answerCodec) external;

    /// @notice The arbiter's decision on a dispute (Raised) or on its appeal (Appealed).
    /// @dev Requirements: the arbiter role; within the decision window; upholding needs the
    /// dataset Proposed, Accepted or Retired in the generation disputed. Upholding suspends the
    /// dataset, rejecting (or upholding an appeal against an upheld dispute) restores it. An appeal's
    /// decision is final and credits the bonds. Emits a {DisputeDecided} event.
    function decide(uint256 disputeId, bool upheld) external;

    /// @notice The losing side appeals the decision, with the bond.
    /// @dev Requirements: the dispute is Upheld (the publisher appeals) or Rejected (the raiser
    /// appeals); within the appeal window; the value sent is the bond. Emits a {DisputeAppealed} event.
    function appeal(uint256 disputeId) external payable;

    /// @notice Ends a dispute whose window passed: an undecided dispute lapses (its bond goes back
    /// to the raiser), an undecided appeal lapses (the decision stands, the appeal bond
    /// goes back), an unappealed decision becomes final. Anyone may call it.
    /// @dev Emits a {DisputeClosed} event.
    function closeDispute(uint256 disputeId) external;

    /// @notice Sends the caller every bond credited to it.
    /// @dev Emits a {BondWithdrawn} event.
    function withdrawBonds() external returns (uint256 amount);

    /// @notice Requests the erasure of `datasetId`'s data keys at every gateway (crypto-shredding
    /// of a private dataset's ciphertext; see docs/THREAT_MODEL.md for what it cannot reach).
    /// @dev Requirements: the caller owns the dataset or holds the arbiter role; not requested
    /// before. Emits an {ErasureRequested} event.
    function requestErasure(uint256 datasetId) external;

    /// @notice Records the erasure's report: a pinned document naming the gateways that confirmed.
    /// @dev Requirements: as {requestErasure}; the erasure was requested. Emits an {ErasureRecorded} event.
    function recordErasure(uint256 datasetId, bytes32 reportDigest, uint32 reportCodec) external;

    /// @notice When erasure of `datasetId` was requested (0: never).
    function erasureRequestedAt(uint256 datasetId) external view returns (uint64);

    /// @notice Sets the bond (for disputes and appeals raised from now on) and the windows
    /// (seconds; they apply to every dispute from now on).
    /// @dev Requirements: the admin role; windows between 1 hour and 365 days. Emits a
    /// {SettingsChanged} event.
    function setSettings(uint128 bond, uint64 decisionWindow, uint64 appealWindow) external;

    /// @notice `account`'s consent record for `datasetId` (zero if none).
    function consentOf(uint256 datasetId, address account) external view returns (Consent memory);

    /// @notice Whether `account` consented to the current generation of `datasetId` and did not withdraw.
    function hasConsented(uint256 datasetId, address account) external view returns (bool);

    /// @notice Whether `account` consented to generation `generation` of `datasetId` and did not
    /// withdraw (what the vault's consent gate asks, the generation in hand).
    function hasConsentedTo(uint256 datasetId, uint16 generation, address account) external view returns (bool);

    /// @notice The dispute `disputeId`.
    function disputeOf(uint256 disputeId) external view returns (Dispute memory);

    /// @notice The dispute of `datasetId` that is open or upheld (0 if none).
    function activeDisputeOf(uint256 datasetId) external view returns (uint256);

    /// @notice How many disputes were raised.
    function disputeCount() external view returns (uint256);

    /// @notice The bond credited to `account`, ready to withdraw.
    function bondOf(address account) external view returns (uint256);

    /// @notice The bond, the decision window and the appeal window (seconds).
    function settings() external view returns (uint128 bond, uint64 decisionWindow, uint64 appealWindow);

    /// @notice The DatasetNFT whose datasets these rights are about.
    function datasets() external view returns (address);
}
