// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IContributorRegistry
/// @notice Who contributes to the commons: each wallet registers itself with a profile (the CID
/// of a profile JSON on IPFS) and a community code; verifiers vouch for claims about it.
/// @dev A CID is stored compactly as its sha2-256 digest plus its multicodec, enough to rebuild
/// the CIDv1. Community codes are `keccak256` of a text such as "KE/education".
interface IContributorRegistry {
    // ------------------------------------------------------------------ structs
    /// @notice A contributor's record. Its community code is not stored: it is in the
    /// {ContributorRegistered} and {ContributorUpdated} events (indexed), where indexers read it.
    struct Contributor {
        bytes32 profileDigest; // sha2-256 digest of the profile JSON's CID
        uint32 profileCodec; // multicodec of the profile CID (0x55 raw, 0x70 dag-pb)
        uint64 registeredAt; // block timestamp of the (latest) registration
        bool active; // false once deactivated
    }

    /// @notice A verifier's claim about a contributor ("institution", "national-id-checked", ...).
    struct Claim {
        address verifier; // who attested it
        uint64 issuedAt; // when
        uint64 expiresAt; // valid strictly before this timestamp
        bool revoked; // true once revoked
    }

    // ------------------------------------------------------------------ errors
    /// @notice Thrown when `account` registers while already registered and active.
    error ContributorRegistryAlreadyRegistered(address account);
    /// @notice Thrown when `account` is not a registered, active contributor.
    error ContributorRegistryNotRegistered(address account);
    /// @notice Thrown when a profile digest or codec is zero.
    error ContributorRegistryEmptyProfile();
    /// @notice Thrown when a signature is used at or after its `deadline`.
    error ContributorRegistryExpiredSignature(uint256 deadline);
    /// @notice Thrown when a signature was not made by `account` over this request.
    error ContributorRegistryInvalidSignature(address account);
    /// @notice Thrown when a claim's expiry is not in the future.
    error ContributorRegistryInvalidExpiry(uint64 expiresAt);
    /// @notice Thrown when revoking a claim that does not exist or is already revoked.
    error ContributorRegistryClaimNotFound(address account, bytes32 claimType);
    /// @notice Thrown when a verifier attests or revokes a live claim that another verifier holds.
    error ContributorRegistryClaimHeldByOther(address account, bytes32 claimType, address verifier);
    /// @notice Thrown when a verifier registers an account that has no code (people register themselves).
    error ContributorRegistryNotAContract(address account);

    // ------------------------------------------------------------------ events
    /// @notice Emitted when `account` registers (or re-registers after deactivating).
    event ContributorRegistered(
        address indexed account,
        bytes32 indexed community,
        bytes32 profileDigest,
        uint32 profileCodec,
        uint64 registeredAt
    );
    /// @notice Emitted when `account` changes its profile or community.
    event ContributorUpdated(address indexed account, bytes32 indexed community, bytes32 profileDigest, uint32 profileCodec);
    /// @notice Emitted when `account` deactivates itself.
    event ContributorDeactivated(address indexed account);
    /// @notice Emitted when `verifier` attests `claimType` about `account`.
    event ClaimAttested(address indexed account, bytes32 indexed claimType, address indexed verifier, uint64 issuedAt, uint64 expiresAt);
    /// @notice Emitted when `verifier` revokes the claim `claimType` about `account`.
    event ClaimRevoked(address indexed account, bytes32 indexed claimType, address indexed verifier);
    /// @notice Emitted when `account` cancels its outstanding signed registration by using up `nonce`.
    event NonceInvalidated(address indexed account, uint256 nonce);
    /// @notice Emitted when the contributors' house the registry keeps in step is named (zero: none).
    event HouseSet(address indexed house);

    /// @notice Initialises a clone in the transaction that creates it (the CommonsFactory does;
    /// a directly deployed registry was initialised by its constructor).
    /// @param admin gets the admin role, and the verifier role when `verifiers` is not empty
    /// @param verifiers get the verifier role (bootstrap verifiers; governance can revoke them)
    /// @param house_ the contributors' house (ContributorVotes) kept in step; zero for none
    /// @dev Requirements: never initialised before.
    function initialize(address admin, address[] calldata verifiers, address house_) external;

    /// @notice Names the contributors' house whose votes follow the claims here (zero: none); the
    /// registry calls its `sync` on every attestation, revocation, deactivation and return.
    /// @dev Requirements: the admin role (governance). Emits a {HouseSet} event.
    function setHouse(address house_) external;

    /// @notice The contributors' house kept in step (zero: none).
    function house() external view returns (address);

    // ------------------------------------------------------------------ functions
    /// @notice Registers the royalty receiver of dataset `datasetId` in the royalty vault `vault`
    /// (`IRoyaltyVault.royaltyReceiverOf`, deployed or not yet): listed as a contributor of a
    /// derived dataset, it carries royalties across commons. Only such a receiver: its address is
    /// computed here from the receiver's code, `vault` and `datasetId` (CREATE2), so no other
    /// contract (a person's smart wallet, which registers itself) can be registered this way.
    /// @dev Requirements: the verifier role; the receiver is not registered; as {register}.
    /// Emits a {ContributorRegistered} event.
    function registerContract(
        address vault,
        uint256 datasetId,
        bytes32 profileDigest,
        uint32 profileCodec,
        bytes32 community
    ) external returns (address receiver);

    /// @notice The royalty receiver {registerContract} registers for `datasetId` in `vault`.
    function royaltyReceiverAddress(address vault, uint256 datasetId) external view returns (address);

    /// @notice Registers the caller with a profile CID and a community code.
    /// @dev Requirements: the caller is not registered and active; the digest and codec are non-zero.
    /// Emits a {ContributorRegistered} event.
    function register(bytes32 profileDigest, uint32 profileCodec, bytes32 community) external;

    /// @notice Registers `account` from its EIP-712 signature, so that a relayer pays the gas.
    /// @dev The signed struct is `Register(address account,bytes32 profileDigest,uint32 profileCodec,
    /// bytes32 community,uint256 nonce,uint256 deadline)` in this contract's domain (name
    /// "OpenCommons ContributorRegistry", version "1", this chain, this address). Each signature
    /// uses the account's next nonce once. ERC-1271 wallets are accepted.
    /// Requirements: `block.timestamp < deadline`; the signature is `account`'s; as {register}.
    /// Emits a {ContributorRegistered} event.
    function registerWithSig(
        address account,
        bytes32 profileDigest,
        uint32 profileCodec,
        bytes32 community,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Cancels every registration the caller signed and nobody submitted yet, by using
    /// up its current nonce (a lost or regretted signature can no longer be relayed).
    /// @dev Emits a {NonceInvalidated} event.
    function invalidateNonce() external;

    /// @notice Changes the caller's profile CID and community code.
    /// @dev Requirements: the caller is registered and active. Emits a {ContributorUpdated} event.
    function updateProfile(bytes32 profileDigest, uint32 profileCodec, bytes32 community) external;

    /// @notice Deactivates the caller; it can register again later. Every registration signature
    /// it gave before is retired (its nonce moves on): none can re-activate it behind its back.
    /// @dev Requirements: the caller is registered and active. Emits {NonceInvalidated} and
    /// {ContributorDeactivated} events.
    function deactivate() external;

    /// @notice Attests `claimType` about `account`, valid until `expiresAt`.
    /// @dev Requirements: the caller holds the verifier role; `account` is registered;
    /// `expiresAt` is in the future. Replaces an earlier claim of the same type only when the
    /// caller issued it or it is no longer live (revoked or expired): one verifier cannot
    /// overwrite another's live claim ({ContributorRegistryClaimHeldByOther}); governance
    /// revokes it first. Emits a {ClaimAttested} event.
    function attestClaim(address account, bytes32 claimType, uint64 expiresAt) external;

    /// @notice Revokes the claim `claimType` about `account`.
    /// @dev Requirements: the caller issued the claim and still holds the verifier role, or holds
    /// the admin role (governance) ({ContributorRegistryClaimHeldByOther}); the claim exists and
    /// is not revoked. Emits a {ClaimRevoked} event.
    function revokeClaim(address account, bytes32 claimType) external;

    /// @notice Whether `account` has ever registered (active or deactivated since): what a dataset
    /// needs of the contributors it names. Deactivating cannot make a publication that names the
    /// account revert (which would expose the content id in a failed reveal to a watcher).
    function hasRegistered(address account) external view returns (bool);

    /// @notice Whether `account` is a registered, active contributor.
    function isRegistered(address account) external view returns (bool);

    /// @notice Whether `account` is registered and holds an unrevoked, unexpired `claimType` claim now.
    function isVerified(address account, bytes32 claimType) external view returns (bool);

    /// @notice The record of `account` (all zero if it never registered).
    function contributorOf(address account) external view returns (Contributor memory);

    /// @notice The claim `claimType` about `account` (all zero if none).
    function claimOf(address account, bytes32 claimType) external view returns (Claim memory);

    /// @notice The role that may attest and revoke claims.
    function VERIFIER_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 type hash of a registration request.
    function REGISTER_TYPEHASH() external view returns (bytes32);
}
