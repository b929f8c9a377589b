// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {ReentrancyGuardUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/ReentrancyGuardUpgradeable.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IDatasetRights} from "../interfaces/IDatasetRights.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";

/// @title DatasetRights
/// @notice Consent, withdrawal and takedown with due process for the datasets of one commons.
/// @dev Holds the DatasetNFT's takedown role: an upheld dispute suspends its dataset there (the
/// status every payment, sale, claim and licence check already reads), an appeal that overturns
/// it restores the status it had. Deployed directly (the constructor initialises it) or cloned
/// and initialised in the same transaction.
contract DatasetRights is
    IDatasetRights,
    AccessControlUpgradeable,
    EIP712Upgradeable,
    NoncesUpgradeable,
    ReentrancyGuardUpgradeable
{
    // ------------------------------------------------------------------ constants
    /// @notice The role that decides disputes and appeals (governance, or a council it names).
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice The EIP-712 type of a relayed consent.
    bytes32 public constant CONSENT_TYPEHASH =
        keccak256("Consent(uint256 datasetId,address contributor,bytes32 purposes,uint256 nonce,uint256 deadline)");
    uint64 private constant _MIN_WINDOW = 1 hours;
    uint64 private constant _MAX_WINDOW = 365 days;
    uint64 private constant _DEFAULT_REISSUE_WINDOW = 30 days;

    // ------------------------------------------------------------------ storage
    IDatasetNFT private _datasets;
    uint128 private _bond;
    uint64 private _decisionWindow;
    uint64 private _appealWindow;
    mapping(uint256 datasetId => mapping(address account => Consent)) private _consents;
    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(uint256 datasetId => uint256 disputeId) private _active;
    mapping(address account => uint256) private _credited;
    uint256 private _count;
    mapping(uint256 datasetId => uint64 requestedAt) private _erasures;
    uint64 private _reissueWindow;
    mapping(uint256 datasetId => uint64 at) private _firstWithdrawal;

    // ------------------------------------------------------------------ constructor
    constructor(
        IDatasetNFT datasets_,
        address admin,
        address[] memory arbiters,
        uint128 bond,
        uint64 decisionWindow,
        uint64 appealWindow
    ) initializer {
        _initRights(address(datasets_), admin, arbiters, bond, decisionWindow, appealWindow);
    }

    // ------------------------------------------------------------------ initializer
    /// @inheritdoc IDatasetRights
    function initialize(
        address datasets_,
        address admin,
        address[] calldata arbiters,
        uint128 bond,
        uint64 decisionWindow,
        uint64 appealWindow
    ) external initializer {
        _initRights(datasets_, admin, arbiters, bond, decisionWindow, appealWindow);
    }

    // ------------------------------------------------------------------ external: consent
    /// @inheritdoc IDatasetRights
    function consent(uint256 datasetId, bytes32 purposes) external {
        _consent(datasetId, msg.sender, purposes);
    }

    /// @inheritdoc IDatasetRights
    function consentWithSig(
        uint256 datasetId,
        address contributor,
        bytes32 purposes,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp >= deadline) revert DatasetRightsExpiredSignature(deadline);
        bytes32 structHash =
            keccak256(abi.encode(CONSENT_TYPEHASH, datasetId, contributor, purposes, _useNonce(contributor), deadline));
        if (!SignatureChecker.isValidSignatureNow(contributor, _hashTypedDataV4(structHash), signature)) {
            revert DatasetRightsInvalidSignature(contributor);
        }
        _consent(datasetId, contributor, purposes);
    }

    /// @inheritdoc IDatasetRights
    function withdraw(uint256 datasetId, bytes32 filesDigest, uint32 filesCodec) external {
        uint16 generation = _checkContributor(datasetId, msg.sender);
        Consent storage c = _consents[datasetId][msg.sender];
        if (c.generation == generation && c.withdrawnAt != 0) {
            revert DatasetRightsAlreadyWithdrawn(datasetId, msg.sender);
        }
        if (c.generation != generation) {
            c.consentedAt = 0;
            c.purposes = 0;
            c.generation = generation;
        }
        uint64 at = uint64(block.timestamp);
        c.withdrawnAt = at;
        if (_firstWithdrawal[datasetId] == 0) _firstWithdrawal[datasetId] = at;
        c.filesDigest = filesDigest;
        c.filesCodec = filesCodec;
        emit ContributionWithdrawn(datasetId, msg.sender, generation, filesDigest, filesCodec, at);
    }

    /// @inheritdoc IDatasetRights
    function reissue(uint256 previousId, IDatasetNFT.PublishParams calldata params, bytes32 salt)
        external
        onlyRole(ARBITER_ROLE)
        returns (uint256 datasetId)
    {
        uint64 due = reissueDueAt(previousId);
        // nothing withdrawn (0) is never due
        if (block.timestamp <= due || due < 1) revert DatasetRightsReissueNotDue(previousId, due);
        IERC721 tokens = IERC721(address(_datasets));
        address owner = tokens.ownerOf(previousId);
        // the id is the content's digest: announced before the DatasetNFT is called
        emit DatasetReissued(previousId, uint256(params.contentDigest), msg.sender, owner);
        datasetId = _datasets.publishVersion(previousId, params, salt);
        tokens.transferFrom(address(this), owner, datasetId);
    }

    /// @inheritdoc IDatasetRights
    function registerPublisher(bytes32 profileDigest, uint32 profileCodec) external onlyRole(ARBITER_ROLE) {
        IContributorRegistry(_datasets.registry()).register(profileDigest, profileCodec, bytes32(0));
    }

    /// @inheritdoc IDatasetRights
    function forfeitRoyalties(uint256 disputeId, address[] calldata tokens) external {
        Dispute storage d = _existing(disputeId);
        if (d.stage != Stage.UpheldFinal || d.previousStatus == 0) revert DatasetRightsWrongStage(disputeId, d.stage);
        uint256 datasetId = d.datasetId;
        emit RoyaltiesForfeited(disputeId, datasetId, msg.sender);
        IRoyaltyVault(_datasets.royaltyVault()).forfeitTakenDown(datasetId, tokens);
    }

    /// @inheritdoc IDatasetRights
    function setReissueWindow(uint64 window) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setReissueWindow(window);
    }

    /// @inheritdoc IDatasetRights
    function invalidateNonce() external {
        emit NonceInvalidated(msg.sender, _useNonce(msg.sender));
    }

    // ------------------------------------------------------------------ external: disputes
    /// @inheritdoc IDatasetRights
    function raiseDispute(uint256 datasetId, Reason reason, bytes32 evidenceDigest, uint32 evidenceCodec)
        external
        payable
        returns (uint256 disputeId)
    {
        (IDatasetNFT.Status status, uint16 generation) = _datasets.statusAndGenerationOf(datasetId);
        if (status == IDatasetNFT.Status.None) revert DatasetRightsUnknownDataset(datasetId);
        uint256 active = _active[datasetId];
        if (active != 0) revert DatasetRightsDisputeOpen(datasetId, active);
        uint128 bond = _bond;
        if (msg.value != bond) revert DatasetRightsWrongBond(msg.value, bond);
        disputeId = ++_count;
        _active[datasetId] = disputeId;
        Dispute storage d = _disputes[disputeId];
        d.datasetId = datasetId;
        d.raiser = msg.sender;
        d.reason = reason;
        d.stage = Stage.Raised;
        d.generation = generation;
        d.publisher = IERC721(address(_datasets)).ownerOf(datasetId);
        d.raisedAt = uint64(block.timestamp);
        d.decidedAt = uint64(block.timestamp);
        d.bond = bond;
        d.evidenceDigest = evidenceDigest;
        d.evidenceCodec = evidenceCodec;
        emit DisputeRaised(disputeId, datasetId, msg.sender, reason, evidenceDigest, evidenceCodec, bond);
    }

    /// @inheritdoc IDatasetRights
    function answer(uint256 disputeId, bytes32 answerDigest, uint32 answerCodec) external {
        Dispute storage d = _existing(disputeId);
        if (d.stage != Stage.Raised && d.stage != Stage.Appealed) revert DatasetRightsWrongStage(disputeId, d.stage);
        if (msg.sender != d.publisher) revert DatasetRightsNotParty(disputeId, msg.sender);
        d.answerDigest = answerDigest;
        d.answerCodec = answerCodec;
        emit DisputeAnswered(disputeId, answerDigest, answerCodec);
    }

    /// @inheritdoc IDatasetRights
    function decide(uint256 disputeId, bool upheld) external onlyRole(ARBITER_ROLE) {
        Dispute storage d = _existing(disputeId);
        Stage stage = d.stage;
        if (stage != Stage.Raised && stage != Stage.Appealed) revert DatasetRightsWrongStage(disputeId, stage);
        uint256 closesAt = uint256(d.decidedAt) + _decisionWindow;
        if (block.timestamp > closesAt) revert DatasetRightsWindowClosed(disputeId, closesAt);
        d.decidedAt = uint64(block.timestamp);
        if (stage == Stage.Raised) {
            Stage decided = upheld ? Stage.Upheld : Stage.Rejected;
            d.stage = decided;
            emit DisputeDecided(disputeId, d.datasetId, msg.sender, decided);
        } else {
            Stage result = upheld ? Stage.UpheldFinal : Stage.RejectedFinal;
            emit DisputeDecided(disputeId, d.datasetId, msg.sender, result);
            _close(disputeId, d, result, false);
        }
        // the DatasetNFT last, every record written and announced before it
        if (upheld) {
            _suspend(d);
        } else {
            _restore(d);
        }
    }

    /// @inheritdoc IDatasetRights
    function appeal(uint256 disputeId) external payable {
        Dispute storage d = _existing(disputeId);
        Stage stage = d.stage;
        if (stage != Stage.Upheld && stage != Stage.Rejected) revert DatasetRightsWrongStage(disputeId, stage);
        address loser = stage == Stage.Upheld ? d.publisher : d.raiser;
        if (msg.sender != loser) revert DatasetRightsNotParty(disputeId, msg.sender);
        uint256 closesAt = uint256(d.decidedAt) + _appealWindow;
        if (block.timestamp > closesAt) revert DatasetRightsWindowClosed(disputeId, closesAt);
        uint128 bond = _bond;
        if (msg.value != bond) revert DatasetRightsWrongBond(msg.value, bond);
        d.stage = Stage.Appealed;
        d.appellant = msg.sender;
        d.appealBond = bond;
        d.decidedAt = uint64(block.timestamp);
        emit DisputeAppealed(disputeId, msg.sender, bond);
    }

    /// @inheritdoc IDatasetRights
    function closeDispute(uint256 disputeId) external {
        Dispute storage d = _existing(disputeId);
        Stage stage = d.stage;
        bool deciding = stage == Stage.Raised || stage == Stage.Appealed;
        if (!deciding && stage != Stage.Upheld && stage != Stage.Rejected) {
            revert DatasetRightsWrongStage(disputeId, stage);
        }
        uint256 openUntil = uint256(d.decidedAt) + (deciding ? _decisionWindow : _appealWindow);
        if (block.timestamp <= openUntil) revert DatasetRightsWindowOpen(disputeId, openUntil);
        // nothing to suspend or restore: a lapsed dispute suspended nothing, and a lapsed appeal or
        // an unappealed decision leaves the dataset as the decision left it
        if (stage == Stage.Raised) {
            _close(disputeId, d, Stage.Lapsed, false);
        } else if (stage == Stage.Appealed) {
            _close(disputeId, d, d.appellant == d.publisher ? Stage.UpheldFinal : Stage.RejectedFinal, true);
        } else {
            _close(disputeId, d, stage == Stage.Upheld ? Stage.UpheldFinal : Stage.RejectedFinal, false);
        }
    }

    /// @inheritdoc IDatasetRights
    function withdrawBonds() external nonReentrant returns (uint256 amount) {
        amount = _credited[msg.sender];
        if (amount == 0) revert DatasetRightsNothingToWithdraw(msg.sender);
        _credited[msg.sender] = 0;
        emit BondWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert DatasetRightsTransferFailed(msg.sender);
    }

    /// @inheritdoc IDatasetRights
    function requestErasure(uint256 datasetId) external {
        _checkOwnerOrArbiter(datasetId);
        uint64 requested = _erasures[datasetId];
        if (requested != 0) revert DatasetRightsErasureRequested(datasetId, requested);
        uint64 at = uint64(block.timestamp);
        _erasures[datasetId] = at;
        emit ErasureRequested(datasetId, msg.sender, at);
    }

    /// @inheritdoc IDatasetRights
    function recordErasure(uint256 datasetId, bytes32 reportDigest, uint32 reportCodec) external {
        _checkOwnerOrArbiter(datasetId);
        if (_erasures[datasetId] == 0) revert DatasetRightsErasureNotRequested(datasetId);
        emit ErasureRecorded(datasetId, msg.sender, reportDigest, reportCodec);
    }

    /// @inheritdoc IDatasetRights
    function setSettings(uint128 bond, uint64 decisionWindow, uint64 appealWindow)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setSettings(bond, decisionWindow, appealWindow);
    }

    // ------------------------------------------------------------------ external: views
    /// @inheritdoc IDatasetRights
    function consentOf(uint256 datasetId, address account) external view returns (Consent memory) {
        return _consents[datasetId][account];
    }

    /// @inheritdoc IDatasetRights
    function hasConsented(uint256 datasetId, address account) external view returns (bool) {
        Consent storage c = _consents[datasetId][account];
        return c.consentedAt != 0 && c.withdrawnAt == 0 && c.generation == _datasets.generationOf(datasetId);
    }

    /// @inheritdoc IDatasetRights
    function hasConsentedTo(uint256 datasetId, uint16 generation, address account) external view returns (bool) {
        Consent storage c = _consents[datasetId][account];
        return c.consentedAt != 0 && c.withdrawnAt == 0 && c.generation == generation;
    }

    /// @inheritdoc IDatasetRights
    function disputeOf(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IDatasetRights
    function activeDisputeOf(uint256 datasetId) external view returns (uint256) {
        return _active[datasetId];
    }

    /// @inheritdoc IDatasetRights
    function disputeCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IDatasetRights
    function bondOf(address account) external view returns (uint256) {
        return _credited[account];
    }

    /// @inheritdoc IDatasetRights
    function settings() external view returns (uint128 bond, uint64 decisionWindow, uint64 appealWindow) {
        return (_bond, _decisionWindow, _appealWindow);
    }

    /// @inheritdoc IDatasetRights
    function erasureRequestedAt(uint256 datasetId) external view returns (uint64) {
        return _erasures[datasetId];
    }

    /// @inheritdoc IDatasetRights
    function reissueDueAt(uint256 datasetId) public view returns (uint64) {
        uint64 since = _firstWithdrawal[datasetId];
        if (since != 0) since += _reissueWindow;
        return since;
    }

    /// @inheritdoc IDatasetRights
    function moveDueAt(uint256 datasetId) external view returns (uint64) {
        uint64 since = _firstWithdrawal[datasetId];
        if (since != 0) {
            uint256 latest = _datasets.latestVersion(datasetId);
            if (latest != datasetId) {
                uint64 published = _datasets.dataset(latest).publishedAt;
                return (published > since ? published : since) + _reissueWindow;
            }
        }
        return 0;
    }

    /// @inheritdoc IDatasetRights
    function reissueWindow() external view returns (uint64) {
        return _reissueWindow;
    }

    /// @inheritdoc IDatasetRights
    function datasets() external view returns (address) {
        return address(_datasets);
    }

    /// @notice The EIP-712 domain separator of this deployment on this chain.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ private
    function _consent(uint256 datasetId, address contributor, bytes32 purposes) private {
        uint16 generation = _checkContributor(datasetId, contributor);
        Consent storage c = _consents[datasetId][contributor];
        c.consentedAt = uint64(block.timestamp);
        c.withdrawnAt = 0;
        c.generation = generation;
        c.purposes = purposes;
        c.filesDigest = 0;
        c.filesCodec = 0;
        emit ConsentGiven(datasetId, contributor, generation, purposes);
    }

    function _checkOwnerOrArbiter(uint256 datasetId) private view {
        if (_datasets.statusOf(datasetId) == IDatasetNFT.Status.None) revert DatasetRightsUnknownDataset(datasetId);
        if (IERC721(address(_datasets)).ownerOf(datasetId) != msg.sender && !hasRole(ARBITER_ROLE, msg.sender)) {
            revert DatasetRightsNotOwnerOrArbiter(datasetId, msg.sender);
        }
    }

    function _checkContributor(uint256 datasetId, address account) private view returns (uint16 generation) {
        IDatasetNFT.Status status;
        (status, generation) = _datasets.statusAndGenerationOf(datasetId);
        if (status == IDatasetNFT.Status.None) revert DatasetRightsUnknownDataset(datasetId);
        if (_datasets.shareOf(datasetId, account) == 0) revert DatasetRightsNotContributor(datasetId, account);
    }

    /// @dev Suspends the disputed dataset unless it already is (an appeal of a rejection upheld).
    function _suspend(Dispute storage d) private {
        if (d.previousStatus != 0) return;
        uint256 datasetId = d.datasetId;
        (IDatasetNFT.Status status, uint16 generation) = _datasets.statusAndGenerationOf(datasetId);
        bool suspendable = status == IDatasetNFT.Status.Proposed || status == IDatasetNFT.Status.Accepted
            || status == IDatasetNFT.Status.Retired;
        if (!suspendable || generation != d.generation) revert DatasetRightsNotSuspendable(datasetId, uint8(status));
        d.previousStatus = uint8(status);
        _datasets.setSuspended(datasetId, IDatasetNFT.Status.Suspended);
    }

    /// @dev Gives the dataset back the status it had before its suspension, if it was suspended.
    function _restore(Dispute storage d) private {
        uint8 previous = d.previousStatus;
        if (previous == 0) return;
        d.previousStatus = 0;
        _datasets.setSuspended(d.datasetId, IDatasetNFT.Status(previous));
    }

    /// @dev Makes `d` final at `result` and credits its bonds: the winner takes them, except a
    /// lapsed appeal's bond (back to its appellant) and a lapsed dispute's (back to its raiser).
    /// The caller restores the dataset when `result` is not UpheldFinal and it was suspended.
    function _close(uint256 disputeId, Dispute storage d, Stage result, bool appealLapsed) private {
        d.stage = result;
        uint256 datasetId = d.datasetId;
        if (result != Stage.UpheldFinal) delete _active[datasetId];
        address winner = result == Stage.RejectedFinal ? d.publisher : d.raiser;
        _credit(disputeId, winner, d.bond);
        uint128 appealBond = d.appealBond;
        if (appealBond != 0) _credit(disputeId, appealLapsed ? d.appellant : winner, appealBond);
        emit DisputeClosed(disputeId, datasetId, result);
    }

    function _credit(uint256 disputeId, address account, uint256 amount) private {
        if (amount == 0) return;
        _credited[account] += amount;
        emit BondCredited(disputeId, account, amount);
    }

    function _existing(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.stage == Stage.None) revert DatasetRightsUnknownDispute(disputeId);
    }

    function _setSettings(uint128 bond, uint64 decisionWindow, uint64 appealWindow) private {
        if (
            decisionWindow < _MIN_WINDOW || decisionWindow > _MAX_WINDOW || appealWindow < _MIN_WINDOW
                || appealWindow > _MAX_WINDOW
        ) revert DatasetRightsInvalidSettings(bond, decisionWindow, appealWindow);
        _bond = bond;
        _decisionWindow = decisionWindow;
        _appealWindow = appealWindow;
        emit SettingsChanged(bond, decisionWindow, appealWindow);
    }

    function _setReissueWindow(uint64 window) private {
        if (window < _MIN_WINDOW || window > _MAX_WINDOW) revert DatasetRightsInvalidReissueWindow(window);
        _reissueWindow = window;
        emit ReissueWindowSet(window);
    }

    function _initRights(
        address datasets_,
        address admin,
        address[] memory arbiters,
        uint128 bond,
        uint64 decisionWindow,
        uint64 appealWindow
    ) private onlyInitializing {
        __EIP712_init("OpenCommons DatasetRights", "1");
        __ReentrancyGuard_init();
        _datasets = IDatasetNFT(datasets_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i; i < arbiters.length; ++i) {
            _grantRole(ARBITER_ROLE, arbiters[i]);
        }
        _setSettings(bond, decisionWindow, appealWindow);
        _setReissueWindow(_DEFAULT_REISSUE_WINDOW);
    }
}
