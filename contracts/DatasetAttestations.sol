// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IDatasetAttestations} from "../interfaces/IDatasetAttestations.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";

/// @title DatasetAttestations
/// @notice Validators' statements about datasets: who checked what, with which score and evidence.
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}).
contract DatasetAttestations is IDatasetAttestations, AccessControlUpgradeable, EIP712Upgradeable, NoncesUpgradeable {
    // ------------------------------------------------------------------ constants
    /// @inheritdoc IDatasetAttestations
    bytes32 public constant VALIDATOR_ROLE = keccak256("VALIDATOR_ROLE");
    /// @inheritdoc IDatasetAttestations
    bytes32 public constant ATTEST_TYPEHASH = keccak256(
        "Attest(uint256 datasetId,bytes32 kind,uint16 score,bytes32 evidenceDigest,uint32 evidenceCodec,address validator,uint256 nonce,uint256 deadline)"
    );
    uint16 private constant _MAX_SCORE = 10_000;

    // ------------------------------------------------------------------ storage
    IDatasetNFT private _datasets;
    mapping(uint256 attestationId => Attestation) private _attestations;
    uint256 private _count;

    // ------------------------------------------------------------------ constructor
    constructor(IDatasetNFT datasets_, address admin) initializer {
        _initAttestations(address(datasets_), admin, new address[](0));
    }

    // ------------------------------------------------------------------ initializer
    /// @inheritdoc IDatasetAttestations
    function initialize(address datasets_, address admin, address[] calldata validators) external initializer {
        _initAttestations(datasets_, admin, validators);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc IDatasetAttestations
    function attest(uint256 datasetId, bytes32 kind, uint16 score, bytes32 evidenceDigest, uint32 evidenceCodec)
        external
        onlyRole(VALIDATOR_ROLE)
        returns (uint256 attestationId)
    {
        attestationId = _attest(datasetId, kind, score, evidenceDigest, evidenceCodec, msg.sender);
    }

    /// @inheritdoc IDatasetAttestations
    function attestWithSig(
        uint256 datasetId,
        bytes32 kind,
        uint16 score,
        bytes32 evidenceDigest,
        uint32 evidenceCodec,
        address validator,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 attestationId) {
        if (block.timestamp >= deadline) revert DatasetAttestationsExpiredSignature(deadline);
        bytes32 structHash = keccak256(
            abi.encode(
                ATTEST_TYPEHASH,
                datasetId,
                kind,
                score,
                evidenceDigest,
                evidenceCodec,
                validator,
                _useNonce(validator),
                deadline
            )
        );
        if (!SignatureChecker.isValidSignatureNow(validator, _hashTypedDataV4(structHash), signature)) {
            revert DatasetAttestationsInvalidSignature(validator);
        }
        if (!hasRole(VALIDATOR_ROLE, validator)) revert DatasetAttestationsNotValidator(validator);
        attestationId = _attest(datasetId, kind, score, evidenceDigest, evidenceCodec, validator);
    }

    /// @inheritdoc IDatasetAttestations
    function invalidateNonce() external {
        emit NonceInvalidated(msg.sender, _useNonce(msg.sender));
    }

    /// @inheritdoc IDatasetAttestations
    function revoke(uint256 attestationId) external {
        Attestation storage a = _attestations[attestationId];
        if (a.createdAt == 0 || a.revoked) revert DatasetAttestationsNotRevocable(attestationId);
        if (msg.sender != a.validator && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert DatasetAttestationsUnauthorizedRevoker(attestationId, msg.sender);
        }
        a.revoked = true;
        emit AttestationRevoked(attestationId, a.datasetId, msg.sender);
    }

    /// @inheritdoc IDatasetAttestations
    function attestationOf(uint256 attestationId) external view returns (Attestation memory) {
        return _attestations[attestationId];
    }

    /// @inheritdoc IDatasetAttestations
    function attestationCount() external view returns (uint256) {
        return _count;
    }

    /// @notice The EIP-712 domain separator of this deployment on this chain.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ private
    function _attest(
        uint256 datasetId,
        bytes32 kind,
        uint16 score,
        bytes32 evidenceDigest,
        uint32 evidenceCodec,
        address validator
    ) private returns (uint256 attestationId) {
        (IDatasetNFT.Status status, uint16 generation) = _datasets.statusAndGenerationOf(datasetId);
        if (status == IDatasetNFT.Status.None) revert DatasetAttestationsUnknownDataset(datasetId);
        if (score > _MAX_SCORE) revert DatasetAttestationsInvalidScore(score);
        attestationId = ++_count;
        uint64 createdAt = uint64(block.timestamp);
        _attestations[attestationId] =
            Attestation(datasetId, validator, createdAt, false, kind, score, evidenceDigest, evidenceCodec, generation);
        emit DatasetAttested(attestationId, datasetId, validator, kind, score, evidenceDigest, evidenceCodec, createdAt);
    }

    function _initAttestations(address datasets_, address admin, address[] memory validators) private onlyInitializing {
        __EIP712_init("OpenCommons DatasetAttestations", "1");
        _datasets = IDatasetNFT(datasets_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (validators.length != 0) _grantRole(VALIDATOR_ROLE, admin);
        for (uint256 i; i < validators.length; ++i) {
            _grantRole(VALIDATOR_ROLE, validators[i]);
        }
    }
}
