// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/ReentrancyGuardUpgradeable.sol";

import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IDatasetRights} from "../interfaces/IDatasetRights.sol";
import {ILicenseManager} from "../interfaces/ILicenseManager.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";

/// @title LicenseManager
/// @notice Sells licences to Accepted datasets; every payment goes through the royalty vault.
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}).
contract LicenseManager is ILicenseManager, ReentrancyGuardUpgradeable {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ constants
    address private constant _NATIVE = address(0);
    uint64 private constant _PERPETUAL = type(uint64).max;

    uint256 private constant _GENERATION_SHIFT = 64;

    // ------------------------------------------------------------------ storage
    /// @dev Terms as stored: the generation of the dataset they were set for rides in the slot's
    /// spare bytes (token 20 + duration 8 + active 1 + generation 2). Terms of a burnt generation
    /// are never sold: a re-publication of the id starts with none.
    struct StoredTerms {
        address token;
        uint64 duration;
        bool active;
        uint16 generation;
        uint256 price;
        bytes32 termsDigest;
    }

    IDatasetNFT private _datasets;
    IRoyaltyVault private _vault;
    mapping(uint256 datasetId => StoredTerms) private _terms;
    /// @dev generation << 64 | expiresAt, one slot: a licence to a burnt generation is not a licence
    /// to the id's next publication.
    mapping(address licensee => mapping(uint256 datasetId => uint256 generationAndExpiry)) private _expiry;
    uint256 private _licenseCount;
    IDatasetRights private _rights;

    // ------------------------------------------------------------------ constructor
    constructor(IDatasetNFT datasets_, IRoyaltyVault vault, IDatasetRights rights_) initializer {
        _initLicenses(address(datasets_), address(vault), address(rights_));
    }

    // ------------------------------------------------------------------ initializer
    /// @inheritdoc ILicenseManager
    function initialize(address datasets_, address vault, address rights_) external initializer {
        _initLicenses(datasets_, vault, rights_);
    }

    /// @inheritdoc ILicenseManager
    function datasets() external view returns (address) {
        return address(_datasets);
    }

    /// @inheritdoc ILicenseManager
    function rights() external view returns (address) {
        return address(_rights);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc ILicenseManager
    function setTerms(
        uint256 datasetId,
        address token,
        uint256 price,
        uint64 duration,
        bytes32 termsDigest,
        bool active
    ) external {
        address owner = IERC721(address(_datasets)).ownerOf(datasetId);
        if (
            msg.sender != owner && IERC721(address(_datasets)).getApproved(datasetId) != msg.sender
                && !IERC721(address(_datasets)).isApprovedForAll(owner, msg.sender)
        ) revert LicenseManagerNotDatasetOwner(datasetId, msg.sender);
        if (active && (price == 0 || !_vault.isTokenAllowed(token))) revert LicenseManagerInvalidTerms(token, price);
        _terms[datasetId] = StoredTerms(token, duration, active, _datasets.generationOf(datasetId), price, termsDigest);
        emit LicenseTermsSet(datasetId, token, price, duration, termsDigest, active);
    }

    /// @inheritdoc ILicenseManager
    function buy(uint256 datasetId, address token, uint256 maxPrice, uint64 duration, bytes32 termsDigest)
        external
        payable
        nonReentrant
        returns (uint256 licenseId)
    {
        (IDatasetNFT.Status status, uint16 generation) = _datasets.statusAndGenerationOf(datasetId);
        if (status != IDatasetNFT.Status.Accepted) revert LicenseManagerDatasetNotAccepted(datasetId, uint8(status));
        StoredTerms memory terms = _terms[datasetId];
        if (!terms.active || terms.generation != generation) revert LicenseManagerNotForSale(datasetId);
        if (
            terms.token != token || terms.price > maxPrice || terms.duration != duration
                || terms.termsDigest != termsDigest
        ) revert LicenseManagerTermsChanged(datasetId, terms.token, terms.price, terms.duration, terms.termsDigest);
        uint256 price = terms.price;
        if (token == _NATIVE ? msg.value != price : msg.value != 0) revert LicenseManagerValueMismatch(msg.value, price);

        uint64 issuedAt = uint64(block.timestamp);
        uint64 expiresAt = _PERPETUAL;
        if (terms.duration != 0) {
            uint64 current = _currentExpiry(_expiry[msg.sender][datasetId], generation);
            uint64 start = current > issuedAt ? current : issuedAt;
            expiresAt = current == _PERPETUAL ? _PERPETUAL : start + terms.duration;
        }
        _expiry[msg.sender][datasetId] = (uint256(generation) << _GENERATION_SHIFT) | expiresAt;
        // the licence's record is its event (what was paid, when, under which terms document) and the
        // packed expiry above (what the chain answers "is it valid" from): no struct stored in full
        licenseId = ++_licenseCount;
        emit LicensePurchased(licenseId, datasetId, msg.sender, token, price, issuedAt, expiresAt, terms.termsDigest);

        if (token == _NATIVE) {
            _vault.pay{value: price}(datasetId, token, price);
        } else {
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), price);
            uint256 received = IERC20(token).balanceOf(address(this)) - before;
            if (received != price) revert LicenseManagerAmountNotReceived(token, price, received);
            IERC20(token).forceApprove(address(_vault), price);
            _vault.pay(datasetId, token, price);
        }
    }

    /// @inheritdoc ILicenseManager
    function termsOf(uint256 datasetId) external view returns (Terms memory terms) {
        StoredTerms memory stored = _terms[datasetId];
        if (stored.generation != _datasets.generationOf(datasetId)) return terms; // none for this generation
        terms = Terms(stored.token, stored.duration, stored.active, stored.price, stored.termsDigest);
    }

    /// @inheritdoc ILicenseManager
    function hasValidLicense(address licensee, uint256 datasetId) external view returns (bool) {
        (IDatasetNFT.Status status, uint16 generation) = _datasets.statusAndGenerationOf(datasetId);
        if (status == IDatasetNFT.Status.Suspended) return false; // tombstoned: licences suspended
        if (_currentExpiry(_expiry[licensee][datasetId], generation) <= block.timestamp) return false;
        IDatasetRights duty = _rights;
        if (address(duty) == address(0)) return true;
        uint64 due = duty.moveDueAt(datasetId);
        return due == 0 || block.timestamp <= due;
    }

    /// @inheritdoc ILicenseManager
    function move(uint256 fromId) external returns (uint256 toId) {
        IDatasetRights duty = _rights;
        if (address(duty) == address(0) || duty.moveDueAt(fromId) == 0) revert LicenseManagerNothingToMove(fromId);
        uint64 expiresAt = _currentExpiry(_expiry[msg.sender][fromId], _datasets.generationOf(fromId));
        if (expiresAt <= block.timestamp) revert LicenseManagerNoLicense(fromId, msg.sender);
        toId = _datasets.latestVersion(fromId);
        uint16 generation = _datasets.generationOf(toId);
        uint64 held = _currentExpiry(_expiry[msg.sender][toId], generation);
        if (held > expiresAt) expiresAt = held;
        delete _expiry[msg.sender][fromId];
        _expiry[msg.sender][toId] = (uint256(generation) << _GENERATION_SHIFT) | expiresAt;
        emit LicenseMoved(fromId, toId, msg.sender, expiresAt);
    }

    /// @inheritdoc ILicenseManager
    function licenseExpiry(address licensee, uint256 datasetId) external view returns (uint64) {
        return _currentExpiry(_expiry[licensee][datasetId], _datasets.generationOf(datasetId));
    }

    /// @inheritdoc ILicenseManager
    function licenseCount() external view returns (uint256) {
        return _licenseCount;
    }

    /// @dev The expiry packed in `packed` when it was set for `generation`, else 0 (no licence).
    function _currentExpiry(uint256 packed, uint16 generation) private pure returns (uint64) {
        return packed >> _GENERATION_SHIFT == generation ? uint64(packed) : 0;
    }

    function _initLicenses(address datasets_, address vault, address rights_) private onlyInitializing {
        __ReentrancyGuard_init();
        _datasets = IDatasetNFT(datasets_);
        _vault = IRoyaltyVault(vault);
        _rights = IDatasetRights(rights_);
    }
}
