// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {RoyaltyReceiver} from "./RoyaltyReceiver.sol";

/// @dev The contributors' house the registry keeps in step (see ContributorVotes).
interface IContributorHouse {
    function sync(address account) external;
}

/// @title ContributorRegistry
/// @notice Contributors register their own wallets; verifiers (held by governance) vouch for them.
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}).
contract ContributorRegistry is IContributorRegistry, AccessControlUpgradeable, EIP712Upgradeable, NoncesUpgradeable {
    // ------------------------------------------------------------------ constants
    /// @inheritdoc IContributorRegistry
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");

    /// @inheritdoc IContributorRegistry
    bytes32 public constant REGISTER_TYPEHASH = keccak256(
        "Register(address account,bytes32 profileDigest,uint32 profileCodec,bytes32 community,uint256 nonce,uint256 deadline)"
    );

    // ------------------------------------------------------------------ storage
    mapping(address account => Contributor) private _contributors;
    mapping(address account => mapping(bytes32 claimType => Claim)) private _claims;
    address private _house;

    // ------------------------------------------------------------------ constructor
    /// @param admin the account given the admin role (the timelock once deployment is wired)
    constructor(address admin) initializer {
        _initRegistry(admin, new address[](0), address(0));
    }

    // ------------------------------------------------------------------ initializer
    /// @inheritdoc IContributorRegistry
    function initialize(address admin, address[] calldata verifiers, address house_) external initializer {
        _initRegistry(admin, verifiers, house_);
    }

    /// @inheritdoc IContributorRegistry
    function setHouse(address house_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _house = house_;
        emit HouseSet(house_);
    }

    /// @inheritdoc IContributorRegistry
    function house() external view returns (address) {
        return _house;
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc IContributorRegistry
    function register(bytes32 profileDigest, uint32 profileCodec, bytes32 community) external {
        _register(msg.sender, profileDigest, profileCodec, community);
    }

    /// @inheritdoc IContributorRegistry
    function registerContract(
        address vault,
        uint256 datasetId,
        bytes32 profileDigest,
        uint32 profileCodec,
        bytes32 community
    ) external onlyRole(VERIFIER_ROLE) returns (address receiver) {
        if (vault.code.length == 0) revert ContributorRegistryNotAContract(vault);
        receiver = royaltyReceiverAddress(vault, datasetId);
        _register(receiver, profileDigest, profileCodec, community);
    }

    /// @inheritdoc IContributorRegistry
    function royaltyReceiverAddress(address vault, uint256 datasetId) public pure returns (address) {
        bytes32 codeHash = keccak256(abi.encodePacked(type(RoyaltyReceiver).creationCode, abi.encode(vault)));
        return Create2.computeAddress(bytes32(datasetId), codeHash, vault);
    }

    /// @inheritdoc IContributorRegistry
    function registerWithSig(
        address account,
        bytes32 profileDigest,
        uint32 profileCodec,
        bytes32 community,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp >= deadline) revert ContributorRegistryExpiredSignature(deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REGISTER_TYPEHASH, account, profileDigest, profileCodec, community, _useNonce(account), deadline
                )
            )
        );
        if (!SignatureChecker.isValidSignatureNow(account, digest, signature)) {
            revert ContributorRegistryInvalidSignature(account);
        }
        _register(account, profileDigest, profileCodec, community);
    }

    /// @inheritdoc IContributorRegistry
    function invalidateNonce() external {
        emit NonceInvalidated(msg.sender, _useNonce(msg.sender));
    }

    /// @inheritdoc IContributorRegistry
    function updateProfile(bytes32 profileDigest, uint32 profileCodec, bytes32 community) external {
        Contributor storage c = _activeContributor(msg.sender);
        _checkProfile(profileDigest, profileCodec);
        c.profileDigest = profileDigest;
        c.profileCodec = profileCodec;
        emit ContributorUpdated(msg.sender, community, profileDigest, profileCodec);
    }

    /// @inheritdoc IContributorRegistry
    function deactivate() external {
        _activeContributor(msg.sender).active = false;
        emit NonceInvalidated(msg.sender, _useNonce(msg.sender));
        emit ContributorDeactivated(msg.sender);
        _syncHouse(msg.sender);
    }

    /// @inheritdoc IContributorRegistry
    function attestClaim(address account, bytes32 claimType, uint64 expiresAt) external onlyRole(VERIFIER_ROLE) {
        _activeContributor(account);
        if (expiresAt <= block.timestamp) revert ContributorRegistryInvalidExpiry(expiresAt);
        Claim storage earlier = _claims[account][claimType];
        address holder = earlier.verifier;
        if (holder != address(0) && holder != msg.sender && !earlier.revoked && block.timestamp < earlier.expiresAt) {
            revert ContributorRegistryClaimHeldByOther(account, claimType, holder);
        }
        uint64 issuedAt = uint64(block.timestamp);
        _claims[account][claimType] = Claim(msg.sender, issuedAt, expiresAt, false);
        emit ClaimAttested(account, claimType, msg.sender, issuedAt, expiresAt);
        _syncHouse(account);
    }

    /// @inheritdoc IContributorRegistry
    function revokeClaim(address account, bytes32 claimType) external {
        Claim storage claim = _claims[account][claimType];
        if (claim.issuedAt == 0 || claim.revoked) revert ContributorRegistryClaimNotFound(account, claimType);
        bool byIssuer = claim.verifier == msg.sender && hasRole(VERIFIER_ROLE, msg.sender);
        if (!byIssuer && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert ContributorRegistryClaimHeldByOther(account, claimType, claim.verifier);
        }
        claim.revoked = true;
        emit ClaimRevoked(account, claimType, msg.sender);
        _syncHouse(account);
    }

    /// @inheritdoc IContributorRegistry
    function isRegistered(address account) external view returns (bool) {
        return _contributors[account].active;
    }

    /// @inheritdoc IContributorRegistry
    function hasRegistered(address account) external view returns (bool) {
        return _contributors[account].registeredAt != 0;
    }

    /// @inheritdoc IContributorRegistry
    function isVerified(address account, bytes32 claimType) external view returns (bool) {
        Claim storage claim = _claims[account][claimType];
        return _contributors[account].active && claim.issuedAt != 0 && !claim.revoked
            && block.timestamp < claim.expiresAt;
    }

    /// @inheritdoc IContributorRegistry
    function contributorOf(address account) external view returns (Contributor memory) {
        return _contributors[account];
    }

    /// @inheritdoc IContributorRegistry
    function claimOf(address account, bytes32 claimType) external view returns (Claim memory) {
        return _claims[account][claimType];
    }

    /// @notice The EIP-712 domain separator of this deployment on this chain.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ private
    function _register(address account, bytes32 profileDigest, uint32 profileCodec, bytes32 community) private {
        Contributor storage c = _contributors[account];
        if (c.active) revert ContributorRegistryAlreadyRegistered(account);
        _checkProfile(profileDigest, profileCodec);
        bool returning = c.registeredAt != 0; // its claims may count again
        uint64 registeredAt = uint64(block.timestamp);
        c.profileDigest = profileDigest;
        // the packed slot in one write (a struct literal writes each member of it separately)
        uint256 packed = uint256(profileCodec) | (uint256(registeredAt) << 32) | (uint256(1) << 96);
        assembly ("memory-safe") {
            sstore(add(c.slot, 1), packed)
        }
        emit ContributorRegistered(account, community, profileDigest, profileCodec, registeredAt);
        if (returning) _syncHouse(account);
    }

    /// @dev Keeps the contributors' house's vote of `account` in step with its claims.
    function _syncHouse(address account) private {
        address h = _house;
        if (h != address(0)) IContributorHouse(h).sync(account);
    }

    function _activeContributor(address account) private view returns (Contributor storage c) {
        c = _contributors[account];
        if (!c.active) revert ContributorRegistryNotRegistered(account);
    }

    function _checkProfile(bytes32 profileDigest, uint32 profileCodec) private pure {
        if (profileDigest == bytes32(0) || profileCodec == 0) revert ContributorRegistryEmptyProfile();
    }

    function _initRegistry(address admin, address[] memory verifiers, address house_) private onlyInitializing {
        __EIP712_init("OpenCommons ContributorRegistry", "1");
        if (house_ != address(0)) {
            _house = house_;
            emit HouseSet(house_);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (verifiers.length != 0) _grantRole(VERIFIER_ROLE, admin);
        for (uint256 i; i < verifiers.length; ++i) {
            _grantRole(VERIFIER_ROLE, verifiers[i]);
        }
    }
}
