// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDatasetAttestations
/// @notice Validators vouch for datasets (integrity, quality, ...) with a score and an evidence
/// CID, directly or through an EIP-712 signature a relayer submits; attestations are revocable.
interface IDatasetAttestations {
    /// @notice An attestation as stored.
    struct Attestation {
        uint256 datasetId;
        address validator;
        uint64 createdAt;
        bool revoked;
        bytes32 kind; // keccak256 of "integrity", "quality", ...
        uint16 score; // 0 to 10,000
        bytes32 evidenceDigest; // sha2-256 digest of the evidence CID (0 if none)
        uint32 evidenceCodec;
        uint16 generation; // the dataset's generation when attested: it says nothing of a re-publication
    }

    /// @notice Thrown when the dataset does not exist.
    error DatasetAttestationsUnknownDataset(uint256 datasetId);
    /// @notice Thrown when the score is above 10,000.
    error DatasetAttestationsInvalidScore(uint16 score);
    /// @notice Thrown when a signature is used at or after its deadline.
    error DatasetAttestationsExpiredSignature(uint256 deadline);
    /// @notice Thrown when a signature was not made by `validator` over this request.
    error DatasetAttestationsInvalidSignature(address validator);
    /// @notice Thrown when `validator` lacks the validator role.
    error DatasetAttestationsNotValidator(address validator);
    /// @notice Thrown when an attestation does not exist or is already revoked.
    error DatasetAttestationsNotRevocable(uint256 attestationId);
    /// @notice Thrown when `caller` may not revoke the attestation.
    error DatasetAttestationsUnauthorizedRevoker(uint256 attestationId, address caller);

    /// @notice Emitted when `validator` attests `datasetId`.
    event DatasetAttested(
        uint256 indexed attestationId,
        uint256 indexed datasetId,
        address indexed validator,
        bytes32 kind,
        uint16 score,
        bytes32 evidenceDigest,
        uint32 evidenceCodec,
        uint64 createdAt
    );
    /// @notice Emitted when an attestation is revoked.
    event AttestationRevoked(uint256 indexed attestationId, uint256 indexed datasetId, address indexed revoker);
    /// @notice Emitted when `validator` retires every attestation it signed and nobody relayed yet.
    event NonceInvalidated(address indexed validator, uint256 nonce);

    /// @notice Initialises a clone in the transaction that creates it (the CommonsFactory does;
    /// a directly deployed contract was initialised by its constructor).
    /// @param admin gets the admin role, and the validator role when `validators` is not empty
    /// @param validators get the validator role (bootstrap validators; governance can revoke them)
    /// @dev Requirements: never initialised before.
    function initialize(address datasets_, address admin, address[] calldata validators) external;

    /// @notice Attests `datasetId` as the caller.
    /// @dev Requirements: the validator role; the dataset exists; score <= 10,000.
    /// Emits a {DatasetAttested} event.
    function attest(uint256 datasetId, bytes32 kind, uint16 score, bytes32 evidenceDigest, uint32 evidenceCodec)
        external
        returns (uint256 attestationId);

    /// @notice Attests `datasetId` from `validator`'s EIP-712 signature.
    /// @dev Signed struct: `Attest(uint256 datasetId,bytes32 kind,uint16 score,bytes32 evidenceDigest,
    /// uint32 evidenceCodec,address validator,uint256 nonce,uint256 deadline)` in the domain
    /// ("OpenCommons DatasetAttestations", "1", this chain, this address); each nonce once.
    /// Requirements: before `deadline`; the signer is `validator` and holds the validator role.
    function attestWithSig(
        uint256 datasetId,
        bytes32 kind,
        uint16 score,
        bytes32 evidenceDigest,
        uint32 evidenceCodec,
        address validator,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 attestationId);

    /// @notice Revokes an attestation.
    /// @dev Requirements: the caller made it or holds the admin role; not revoked yet.
    /// Emits an {AttestationRevoked} event.
    function revoke(uint256 attestationId) external;

    /// @notice Retires every attestation the caller signed that was not relayed yet ({attestWithSig}
    /// refuses them afterwards): a validator who signed in error cancels before anyone submits it.
    /// @dev Emits a {NonceInvalidated} event.
    function invalidateNonce() external;

    /// @notice Attestation `attestationId`.
    function attestationOf(uint256 attestationId) external view returns (Attestation memory);

    /// @notice How many attestations were made.
    function attestationCount() external view returns (uint256);

    /// @notice The role that may attest.
    function VALIDATOR_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 type hash of an attestation request.
    function ATTEST_TYPEHASH() external view returns (bytes32);
}
