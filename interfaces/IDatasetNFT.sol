// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDatasetNFT
/// @notice Datasets of the commons as ERC-721 tokens whose content IDs live on-chain: who made
/// each dataset (shares in basis points), what it derives from, its licence and commons, its
/// versions and its curation status.
/// @dev A dataset's token id is its content root digest, `uint256(contentDigest)`: the id is
/// derived from the content, so publishing the same content twice is impossible by construction
/// (the second attempt reverts with {DatasetNFTAlreadyPublished}). CIDs are stored as the
/// sha2-256 digest plus the multicodec (0x70 dag-pb, 0x55 raw), enough to rebuild the CIDv1.
///
/// Publishing is commit-reveal, so that nobody who sees a CID (in the mempool, on the DHT) can
/// take its id first: the publisher commits `commitmentOf(previousId, params, publisher, salt)`, waits at
/// least {minCommitAge} blocks, and reveals with {publish}; a commitment expires after
/// {commitTtl} blocks. A copier only learns the parameters from the reveal, and its own commit
/// would be younger than the reveal it tries to overtake. If an id is squatted anyway, curators
/// reject it (a Rejected dataset takes no payment, licence or royalty) and governance burns it:
/// the id's generation moves on, so its rightful publisher can publish it with clean royalty
/// state (the vault keys its pools by id and generation).
interface IDatasetNFT {
    // ------------------------------------------------------------------ types
    /// @notice Curation status: Proposed -> Accepted | Rejected; Accepted -> Retired (curators).
    /// Governance can undo the two delisting steps: Rejected -> Proposed, Retired -> Accepted.
    enum Status {
        None,
        Proposed,
        Accepted,
        Rejected,
        Retired,
        Suspended // under an upheld dispute (see IDatasetRights): no payment, sale, claim or licence
    }

    /// @notice A contributor and its share of the dataset's royalties.
    struct Contribution {
        address account;
        uint16 shareBps;
    }

    /// @notice What a publisher records about a dataset.
    struct PublishParams {
        bytes32 contentDigest; // sha2-256 digest of the content root CID (also the token id)
        uint32 contentCodec; // multicodec of the content root CID
        bytes32 manifestDigest; // sha2-256 digest of the manifest JSON's CID
        uint32 manifestCodec; // multicodec of the manifest CID
        string license; // SPDX licence identifier, e.g. "CC-BY-4.0"
        bytes32 commons; // keccak256 of the commons code, e.g. keccak256("KE/education")
        uint16 ancestorBps; // share of income passed up to the parents (0 without parents)
        uint256[] parents; // datasets this one derives from
        Contribution[] contributors; // ascending by account, shares summing to exactly 10,000
    }

    /// @notice A dataset as the views return it.
    struct Dataset {
        bytes32 contentDigest;
        uint32 contentCodec;
        bytes32 manifestDigest;
        uint32 manifestCodec;
        string license;
        bytes32 commons;
        Status status;
        uint16 ancestorBps;
        uint8 depth; // 0 without parents, else 1 + the deepest parent's depth
        uint16 contributorCount;
        uint64 publishedAt;
        address owner;
        uint256 previousVersion; // 0 when none
        uint256 nextVersion; // 0 when none
        uint256[] parents;
    }

    // ------------------------------------------------------------------ errors
    /// @notice Thrown when the publisher is not a registered contributor.
    error DatasetNFTPublisherNotRegistered(address publisher);
    /// @notice Thrown when a listed contributor never registered (a deactivated one still counts).
    error DatasetNFTContributorNotRegistered(address account);
    /// @notice Thrown when a dataset with this content digest already exists and cannot be
    /// displaced (it is accepted, or its commitment is not younger than the reveal's).
    error DatasetNFTAlreadyPublished(uint256 datasetId, address owner);
    /// @notice Thrown when a digest or codec is zero, a codec is 2^16 or above, or the licence or
    /// commons is empty.
    error DatasetNFTInvalidRecord();
    /// @notice Thrown when there are no contributors or more than the cap.
    error DatasetNFTInvalidContributorCount(uint256 count, uint256 max);
    /// @notice Thrown when a contributor's share is zero, or the accounts are not in strictly
    /// ascending order (which also rules out the zero account and duplicates).
    error DatasetNFTInvalidContribution(address account, uint16 shareBps);
    /// @notice Thrown when the shares do not sum to exactly 10,000 basis points.
    error DatasetNFTSharesNotWhole(uint256 totalBps);
    /// @notice Thrown when there are more parents than the cap.
    error DatasetNFTTooManyParents(uint256 count, uint256 max);
    /// @notice Thrown when a parent does not exist or appears twice.
    error DatasetNFTInvalidParent(uint256 parentId);
    /// @notice Thrown when the lineage would be deeper than the cap.
    error DatasetNFTLineageTooDeep(uint256 depth, uint256 max);
    /// @notice Thrown when the ancestor share is above the cap, or set without parents (or a training record).
    error DatasetNFTInvalidAncestorShare(uint16 ancestorBps, uint16 max);
    /// @notice Thrown when a dataset does not exist.
    error DatasetNFTUnknownDataset(uint256 datasetId);
    /// @notice Thrown when `caller` may not publish a new version of `datasetId`.
    error DatasetNFTNotDatasetOwner(uint256 datasetId, address caller);
    /// @notice Thrown when `datasetId` already has a next version.
    error DatasetNFTVersionExists(uint256 datasetId, uint256 nextVersion);
    /// @notice Thrown when a curation step is not allowed from the current status.
    error DatasetNFTInvalidTransition(uint256 datasetId, Status from, Status to);
    /// @notice Thrown when the royalty vault is set a second time or to zero.
    error DatasetNFTRoyaltyVaultAlreadySet(address vault);
    /// @notice Thrown when a reveal names a commitment that was never made (or already used).
    error DatasetNFTUnknownCommitment(bytes32 commitment);
    /// @notice Thrown when a reveal comes before block `revealableAt`.
    error DatasetNFTCommitmentTooNew(bytes32 commitment, uint256 revealableAt);
    /// @notice Thrown when a reveal comes after the commitment expired (after block `expiredAfter`).
    error DatasetNFTCommitmentExpired(bytes32 commitment, uint256 expiredAfter);
    /// @notice Thrown when a live commitment is committed again (which would push its reveal back).
    error DatasetNFTCommitmentExists(bytes32 commitment);
    /// @notice Thrown when the commit window is empty: the minimum age is 0 or not below the TTL.
    error DatasetNFTInvalidCommitWindow(uint64 minCommitAge, uint64 commitTtl);
    /// @notice Thrown when 65,535 distinct licences (or commons) are already recorded.
    error DatasetNFTTooManyDistinct(string what);
    /// @notice Thrown when a re-publication of burnt `datasetId` names a parent that descends from
    /// the id's burnt generation: the lineage would become a cycle.
    error DatasetNFTLineageCycle(uint256 datasetId, uint256 parent);
    /// @notice Thrown when `datasetId` is suspended (tombstoned by an upheld dispute).
    error DatasetNFTSuspended(uint256 datasetId);

    // ------------------------------------------------------------------ events
    /// @notice Emitted when a dataset is published; carries the full record.
    event DatasetPublished(
        uint256 indexed datasetId,
        address indexed publisher,
        bytes32 indexed commons,
        uint8 depth,
        uint256 previousVersion,
        PublishParams params
    );
    /// @notice Emitted when a curator moves a dataset from one status to another.
    event DatasetCurated(uint256 indexed datasetId, address indexed curator, Status from, Status to);
    /// @notice Emitted when the royalty vault is wired in.
    event RoyaltyVaultSet(address indexed vault);
    /// @notice Emitted when governance sets the ERC-2981 royalty fraction.
    event DefaultRoyaltySet(uint96 royaltyBps);
    /// @notice Emitted when someone commits to a publication its publisher will reveal later (the
    /// commitment names no publisher: it is bound to one, whoever sent it).
    event PublicationCommitted(bytes32 indexed commitment);
    /// @notice Emitted when governance burns a Rejected dataset; the id's next publication is
    /// generation `generation`.
    event DatasetBurned(uint256 indexed datasetId, address indexed owner, uint16 generation);
    /// @notice Emitted when a reveal of an older commitment takes over `datasetId` from a
    /// publication that is not accepted yet (followed by {DatasetBurned} for the displaced one).
    event PublicationDisplaced(uint256 indexed datasetId, address indexed displaced, address indexed by);

    // ------------------------------------------------------------------ functions
    /// @notice Commits to a publication: `commitment` is {commitmentOf} the parameters, the
    /// publisher and a secret salt.
    /// @dev Requirements: `commitment` is not live already ({DatasetNFTCommitmentExists});
    /// an expired one may be renewed. Emits a {PublicationCommitted} event.
    function commit(bytes32 commitment) external;

    /// @notice Reveals a commitment and publishes a dataset, minting its token to the caller.
    /// @dev Requirements: `commitmentOf(0, params, msg.sender, salt)` was committed at least
    /// {minCommitAge} and at most {commitTtl} blocks ago ({DatasetNFTUnknownCommitment},
    /// {DatasetNFTCommitmentTooNew}, {DatasetNFTCommitmentExpired}); it is used up. The caller
    /// and every contributor are registered contributors; digests
    /// and codecs are non-zero, codecs below 2^16; licence non-empty; 1 to {MAX_CONTRIBUTORS} contributors in
    /// strictly ascending order of account (as 0xSplits asks: it rules out duplicates without
    /// storage reads) with non-zero shares summing to exactly 10,000; at most {MAX_PARENTS} distinct,
    /// existing parents; lineage depth at most {MAX_LINEAGE_DEPTH}; `ancestorBps` zero without
    /// parents and at most the royalty stack's cap with them; the content digest not published,
    /// unless its publication is Proposed or Rejected and revealed a younger commitment: then
    /// the first commitment wins, and that publication is burnt as by {burn}
    /// ({PublicationDisplaced}, {DatasetBurned}; {DatasetNFTAlreadyPublished} otherwise).
    /// Emits a {DatasetPublished} event (and ERC-721 {Transfer}).
    /// @return datasetId `uint256(params.contentDigest)`
    function publish(PublishParams calldata params, bytes32 salt) external returns (uint256 datasetId);

    /// @notice Publishes a new version of `previousId` and links the two.
    /// @dev Requirements: the caller owns `previousId` (an approved operator may not: the
    /// version is the owner's) or holds the takedown role (the commons' DatasetRights, which
    /// publishes a withdrawal's version once the owner's deadline passed and hands it to the
    /// owner), and `previousId` has no next version yet ({DatasetNFTNotDatasetOwner},
    /// {DatasetNFTVersionExists}); `commitmentOf(previousId, params, msg.sender, salt)` was
    /// committed; as {publish}. Emits a {DatasetPublished} event with
    /// `previousVersion` set.
    function publishVersion(uint256 previousId, PublishParams calldata params, bytes32 salt)
        external
        returns (uint256 datasetId);

    /// @notice Publishes a model with what it was trained on, in one transaction: as {publish}
    /// (or, with a non-zero `previousId`, as {publishVersion}), and the royalty vault records its
    /// training data ({IRoyaltyVault-recordTraining}): `trainingRoot`, the root of OpenZeppelin's
    /// standard Merkle tree of (uint256 datasetId, uint256 weight) leaves, whose weights sum to
    /// `totalWeight`. The model's ancestor share goes to every dataset of the tree by weight, so
    /// it may be set with no parents; parents, if named, are its lineage and are not paid.
    /// @dev Requirements: as {publish}, the commitment being `keccak256(abi.encodePacked(publisher,
    /// calldata))` of this call's canonical encoding (as {commitmentOf} computes it for the other
    /// two); the royalty vault is set; a non-zero root and total weight.
    function publishModel(
        uint256 previousId,
        PublishParams calldata params,
        bytes32 trainingRoot,
        uint64 totalWeight,
        bytes32 salt
    ) external returns (uint256 datasetId);

    /// @notice Burns a squatted (Rejected) dataset so that its rightful publisher can publish
    /// the content; its id moves to the next generation, and the vault sends the old
    /// generation's unclaimed royalties to the treasury ({IRoyaltyVault-forfeit}).
    /// @dev Requirements: the admin role (the timelock); the dataset is Rejected
    /// ({DatasetNFTInvalidTransition} to None otherwise). Unlinks its versions. Emits a
    /// {DatasetBurned} event (and ERC-721 {Transfer}). A later re-publication of the id may not
    /// name a parent that descends from the burnt generation ({DatasetNFTLineageCycle}).
    function burn(uint256 datasetId) external;

    /// @notice Moves `datasetId` to status `to`.
    /// @dev Requirements: the caller holds the curator role; Proposed -> Accepted | Rejected, or
    /// Accepted -> Retired. Emits a {DatasetCurated} event.
    function curate(uint256 datasetId, Status to) external;

    /// @notice Undoes a delisting: a Rejected dataset goes back to Proposed, a Retired one back
    /// to Accepted.
    /// @dev Curators' transitions are one-way so that a single curator transaction (a mistake,
    /// a stolen key) can be undone only by governance. Requirements: the caller holds the admin
    /// role (the timelock); the dataset exists ({DatasetNFTUnknownDataset}) and is Rejected or
    /// Retired (else {DatasetNFTInvalidTransition} with `from` and `to` both its status). Emits a {DatasetCurated} event.
    function reinstate(uint256 datasetId) external;

    /// @notice Suspends `datasetId` (to = Suspended) or lifts its suspension (to = the status it had).
    /// @dev Called by the DatasetRights contract of the commons when a dispute is upheld or an
    /// appeal overturns it. Requirements: the takedown role; Proposed, Accepted or Retired ->
    /// Suspended, or Suspended -> Proposed, Accepted or Retired. Emits a {DatasetCurated} event.
    function setSuspended(uint256 datasetId, Status to) external;

    /// @notice Wires in the royalty vault that names each dataset's ERC-2981 receiver (once).
    /// @dev Requirements: admin role; not set before; non-zero. Emits a {RoyaltyVaultSet} event.
    function setRoyaltyVault(address vault) external;

    /// @notice Sets the ERC-2981 royalty fraction asked on every sale of a dataset token.
    /// @dev Requirements: admin role; the vault is set. Emits a {DefaultRoyaltySet} event.
    function setDefaultRoyalty(uint96 royaltyBps) external;

    /// @notice The full record of `datasetId`.
    function dataset(uint256 datasetId) external view returns (Dataset memory);

    /// @notice The curation status of `datasetId` (None when it does not exist).
    function statusOf(uint256 datasetId) external view returns (Status);

    /// @notice The curation status and the generation of `datasetId`, in one call: what a licence,
    /// an attestation or a reward is bound to (nothing of a burnt generation carries over to the
    /// id's next publication).
    function statusAndGenerationOf(uint256 datasetId) external view returns (Status status, uint16 generation);

    /// @notice The royalty share of `account` in `datasetId`, in basis points (0 if none).
    /// @dev A binary search over the stored contributors: its cost grows with log2 of their
    /// number (about 265 gas a step), so claims stay flat (+3% from 2 to 500 contributors).
    function shareOf(uint256 datasetId, address account) external view returns (uint16);

    /// @notice The contributors of `datasetId` with their shares, ascending by account.
    /// @dev Reverts with {DatasetNFTUnknownDataset} when it does not exist.
    function contributorsOf(uint256 datasetId) external view returns (Contribution[] memory);

    /// @notice The share of income `datasetId` passes up to its parents; reverts if unknown.
    function ancestorBpsOf(uint256 datasetId) external view returns (uint16);

    /// @notice What the vault needs to take a payment for `datasetId`: whether it takes money
    /// at all (it exists and is not Rejected), its ancestor share, and its generation (0 for
    /// the first publication of an id, +1 after each burn; the id's next generation when it
    /// does not exist now).
    function royaltyTermsOf(uint256 datasetId) external view returns (bool open, uint16 ancestorBps, uint16 generation);

    /// @notice The generation of `datasetId`: 0 for an id's first publication, +1 after each burn
    /// (the next generation's number while a burnt id is unpublished).
    function generationOf(uint256 datasetId) external view returns (uint16);

    /// @notice The share `account` may claim royalties or rewards with in `datasetId` (0 while
    /// the dataset is Rejected or when none), and the dataset's generation.
    function claimShareOf(uint256 datasetId, address account) external view returns (uint16 shareBps, uint16 generation);

    /// @notice The commitment a publisher commits before revealing `params` with `salt`, through
    /// {publish} (`previousId` 0) or {publishVersion} of `previousId`.
    /// @dev `keccak256(abi.encodePacked(publisher, calldata))` where `calldata` is the canonical
    /// ABI encoding of the reveal call: the reveal hashes its own calldata, so a reveal encoded
    /// any other way does not match.
    function commitmentOf(uint256 previousId, PublishParams calldata params, address publisher, bytes32 salt)
        external
        pure
        returns (bytes32);

    /// @notice The block at which `commitment` was committed (0 if never, or used).
    function committedAt(bytes32 commitment) external view returns (uint256);

    /// @notice The block of the commitment `datasetId`'s current publication revealed (exact
    /// while it is less than 2^32 blocks old): a reveal of an older commitment displaces it.
    /// @dev Requirements: the dataset exists ({DatasetNFTUnknownDataset}).
    function publicationCommittedAt(uint256 datasetId) external view returns (uint256);

    /// @notice The fewest blocks between a commit and its reveal.
    function minCommitAge() external view returns (uint64);

    /// @notice The most blocks between a commit and its reveal.
    function commitTtl() external view returns (uint64);

    /// @notice The parents of `datasetId`.
    function parentsOf(uint256 datasetId) external view returns (uint256[] memory);

    /// @notice The parents `datasetId` had in `generation`: its current parents, or those of a burnt
    /// generation (kept at the burn, so its pending ancestor share still reaches them).
    function parentsOfGeneration(uint256 datasetId, uint16 generation) external view returns (uint256[] memory);

    /// @notice The newest version in the chain of versions that `datasetId` belongs to.
    function latestVersion(uint256 datasetId) external view returns (uint256);

    /// @notice Whether `datasetId` exists.
    function exists(uint256 datasetId) external view returns (bool);

    /// @notice The royalty vault (zero until wired).
    function royaltyVault() external view returns (address);

    /// @notice The contributor registry publishers must be registered in.
    function registry() external view returns (address);

    /// @notice The most contributors a dataset may list.
    function MAX_CONTRIBUTORS() external view returns (uint256);

    /// @notice The most parents a dataset may derive from.
    function MAX_PARENTS() external view returns (uint256);

    /// @notice The deepest lineage allowed.
    function MAX_LINEAGE_DEPTH() external view returns (uint256);

    /// @notice The role that curates datasets.
    function CURATOR_ROLE() external view returns (bytes32);
}
