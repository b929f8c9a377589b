// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {ReentrancyGuardUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/ReentrancyGuardUpgradeable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IDatasetRights} from "../interfaces/IDatasetRights.sol";
import {IRoyaltyReceiver} from "../interfaces/IRoyaltyReceiver.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";
import {CloneArgument} from "./libraries/CloneArgument.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";
import {RoyaltyReceiver} from "./RoyaltyReceiver.sol";

/// @title RoyaltyVault
/// @notice Constant-cost royalty accounting for datasets: pay once, every contributor's share is
/// credited; each contributor pulls what it is owed.
/// @dev Deployed directly (the constructor initialises it) or cloned and initialised by the
/// CommonsFactory in the same transaction (see {CommonsTimelock}). The dataset NFT is read on
/// every payment and claim, so it is never a storage read: an immutable in a direct deployment,
/// the clone's immutable argument in a clone (EXTCODECOPY of its own, warm, code).
contract RoyaltyVault is IRoyaltyVault, AccessControlUpgradeable, ReentrancyGuardUpgradeable {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ constants
    /// @notice The role that adds and removes payment tokens.
    bytes32 public constant ALLOWLIST_ROLE = keccak256("ALLOWLIST_ROLE");
    /// @notice The role that sets the protocol fee and the treasury.
    bytes32 public constant FEE_ROLE = keccak256("FEE_ROLE");
    /// @notice The token address standing for the native currency.
    address public constant NATIVE = address(0);
    /// @inheritdoc IRoyaltyVault
    uint16 public constant MAX_PROTOCOL_FEE_BPS = RoyaltyConstants.MAX_PROTOCOL_FEE_BPS;

    /// @dev A training pool's amount per unit of weight is scaled by this (weights fit 64 bits).
    uint256 private constant _PER_WEIGHT = 1e18;
    /// @dev The dataset NFT's role for suspending datasets (its DatasetRights): the one that forfeits them.
    bytes32 private constant _TAKEDOWN_ROLE = keccak256("TAKEDOWN_ROLE");

    IDatasetNFT private immutable _DATASETS;
    bytes32 private immutable _RECEIVER_CODE_HASH;

    // ------------------------------------------------------------------ storage
    mapping(uint256 datasetId => mapping(uint16 generation => mapping(address token => Pool))) private _pools;
    mapping(uint256 datasetId => mapping(uint16 generation => mapping(address token => uint256))) private
        _pendingAncestor;
    mapping(
        uint256 datasetId
            => mapping(uint16 generation => mapping(address token => mapping(address account => uint256 earnedPerBps)))
    ) private _checkpoints;
    mapping(uint256 datasetId => mapping(uint16 generation => mapping(address token => uint256))) private _held;
    /// @dev What the vault owes in each token (not the native currency: `_owedNative`).
    mapping(address token => uint256) private _owed;
    mapping(address token => bool) private _allowedTokens;
    mapping(address token => uint256) private _treasuryAccrued;
    /// @dev The fee and what the vault owes in the native currency share one slot: a payment in
    /// ETH reads the one and writes the other, one cold slot instead of two.
    uint16 private _feeBps;
    /// @dev Whether claims wait for consent (see `_consentRights`): read with the ETH owed, in one slot.
    bool private _gated;
    uint232 private _owedNative;
    address private _treasury;
    address private _collecting;
    mapping(uint256 modelId => mapping(uint16 generation => TrainingRecord)) private _training;
    mapping(uint256 modelId => mapping(uint16 generation => mapping(address token => TrainingPool))) private
        _trainingPools;
    mapping(
        uint256 modelId
            => mapping(uint16 generation => mapping(uint256 datasetId => mapping(address token => uint256 perWeight)))
    ) private _trainingCheckpoints;
    /// @dev The DatasetRights whose consents claims wait for, when `_gated`.
    address private _consentRights;

    // ------------------------------------------------------------------ constructor
    /// @param datasets_ the dataset NFT whose shares and lineage this vault pays out
    /// @param admin the account given the admin role (the timelock once deployment is wired)
    /// @param treasury the account protocol fees accrue to (the timelock)
    /// A vault built with no dataset NFT is the implementation clones run (the CommonsFactory's
    /// template): it can never be initialised, so it never holds anything.
    constructor(IDatasetNFT datasets_, address admin, address treasury) {
        if (address(datasets_) == address(0)) {
            _disableInitializers();
        } else {
            _DATASETS = datasets_;
            _RECEIVER_CODE_HASH = _receiverCodeHashOf(address(this));
            _initVault(admin, treasury, 0, new address[](0));
        }
    }

    /// @notice Accepts ETH only from a dataset receiver while the vault collects from it.
    receive() external payable {
        if (msg.sender != _collecting) revert RoyaltyVaultUnexpectedEther(msg.sender);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc IRoyaltyVault
    /// @dev The factory passes its own commons' DatasetRights (initialised in the same
    /// transaction): it is not asked for its dataset NFT here, as {setConsentGate} asks.
    function initialize(
        address admin,
        address treasury,
        uint16 feeBps,
        address[] calldata allowedTokens,
        address consentRights
    ) external {
        if (address(_datasets()) == address(0)) revert RoyaltyVaultZeroAddress();
        _initVault(admin, treasury, feeBps, allowedTokens);
        if (consentRights != address(0)) {
            _consentRights = consentRights;
            _gated = true;
            emit ConsentGateSet(consentRights);
        }
    }

    /// @inheritdoc IRoyaltyVault
    /// @dev A payment in the native currency calls nothing that could call back (the NFT is only
    /// read, by STATICCALL) and changes the vault's state only after its checks, so it takes no
    /// reentrancy lock (the lock's cold slot, written and reset, cost 2,300 gas a payment). A
    /// payment in a token calls the token and is locked like every other entry point.
    function pay(uint256 datasetId, address token, uint256 amount) external payable {
        if (token == NATIVE) _pay(datasetId, NATIVE, amount);
        else _payToken(datasetId, token, amount);
    }

    /// @inheritdoc IRoyaltyVault
    function claim(uint256[] calldata datasetIds, address[] calldata tokens)
        external
        nonReentrant
        returns (uint256[] memory amounts)
    {
        amounts = _claim(msg.sender, datasetIds, tokens, msg.sender);
    }

    /// @inheritdoc IRoyaltyVault
    function claimFor(address account, uint256[] calldata datasetIds, address[] calldata tokens)
        external
        nonReentrant
        returns (uint256[] memory amounts)
    {
        amounts = _claim(account, datasetIds, tokens, account);
    }

    /// @inheritdoc IRoyaltyVault
    function claimTo(address recipient, uint256[] calldata datasetIds, address[] calldata tokens)
        external
        nonReentrant
        returns (uint256[] memory amounts)
    {
        if (recipient == address(0)) revert RoyaltyVaultZeroAddress();
        amounts = _claim(msg.sender, datasetIds, tokens, recipient);
    }

    /// @inheritdoc IRoyaltyVault
    function settle(uint256[] calldata datasetIds, address token) external nonReentrant {
        IDatasetNFT datasets_ = _datasets();
        for (uint256 i; i < datasetIds.length; ++i) {
            _settle(datasets_, datasetIds[i], token);
        }
    }

    /// @inheritdoc IRoyaltyVault
    function collect(uint256 datasetId, address token) external nonReentrant returns (uint256 amount) {
        (bool open, uint16 ancestorBps, uint16 generation) = _datasets().royaltyTermsOf(datasetId);
        if (!open) revert RoyaltyVaultDatasetClosed(datasetId);
        address receiver = royaltyReceiverOf(datasetId);
        if (receiver.code.length == 0) new RoyaltyReceiver{salt: bytes32(datasetId)}(address(this));
        if (token == NATIVE) {
            _collecting = receiver;
            amount = IRoyaltyReceiver(receiver).release();
            _collecting = address(0);
        } else {
            uint256 before = IERC20(token).balanceOf(address(this));
            IRoyaltyReceiver(receiver).releaseToken(token);
            amount = IERC20(token).balanceOf(address(this)) - before;
        }
        emit ReceiverCollected(datasetId, token, receiver, amount);
        _addOwed(token, amount);
        if (token != NATIVE && !_allowedTokens[token]) {
            if (amount != 0) {
                uint256 held = _held[datasetId][generation][token] + amount;
                _held[datasetId][generation][token] = held;
                emit RoyaltyHeld(datasetId, token, amount, held);
            }
            return amount;
        }
        uint256 credited = amount + _held[datasetId][generation][token];
        if (credited != amount) _held[datasetId][generation][token] = 0;
        if (credited != 0) _credit(datasetId, generation, token, credited, ancestorBps, true, receiver);
    }

    /// @inheritdoc IRoyaltyVault
    function forfeit(uint256 datasetId, uint16 generation, address[] calldata tokens) external nonReentrant {
        IDatasetNFT datasets_ = _datasets();
        uint16 current = datasets_.generationOf(datasetId);
        if (generation >= current) revert RoyaltyVaultGenerationLive(datasetId, generation);
        _forfeit(datasets_, datasetId, generation, tokens);
    }

    /// @inheritdoc IRoyaltyVault
    function forfeitTakenDown(uint256 datasetId, address[] calldata tokens) external nonReentrant {
        IDatasetNFT datasets_ = _datasets();
        if (!IAccessControl(address(datasets_)).hasRole(_TAKEDOWN_ROLE, msg.sender)) {
            revert RoyaltyVaultNotTakedown(msg.sender);
        }
        (IDatasetNFT.Status status, uint16 generation) = datasets_.statusAndGenerationOf(datasetId);
        if (status != IDatasetNFT.Status.Suspended) revert RoyaltyVaultNotSuspended(datasetId);
        _forfeit(datasets_, datasetId, generation, tokens);
    }

    /// @dev What {forfeit} and {forfeitTakenDown} share: the generation's pools and held tokens to
    /// the treasury, its pending ancestor share to its parents (or its training pool).
    function _forfeit(IDatasetNFT datasets_, uint256 datasetId, uint16 generation, address[] calldata tokens)
        private
    {
        uint256[] memory parents = new uint256[](0);
        bool parentsRead = false;
        for (uint256 t; t < tokens.length; ++t) {
            address token = tokens[t];
            // the parents' share was theirs before the burn: it reaches them, not the treasury
            uint256 pending = _pendingAncestor[datasetId][generation][token];
            if (pending != 0) {
                _pendingAncestor[datasetId][generation][token] = 0;
                // a burnt model's share goes to its training pool, still pulled by its datasets
                if (!_accrueTraining(datasetId, generation, token, pending)) {
                    if (!parentsRead) {
                        (parents, parentsRead) = (datasets_.parentsOfGeneration(datasetId, generation), true);
                    }
                    _payParents(datasets_, datasetId, token, pending, parents);
                }
            }
            Pool memory pool = _pools[datasetId][generation][token];
            uint256 amount = uint256(pool.outstanding) + pool.carry + _held[datasetId][generation][token];
            if (amount == 0) continue;
            _pools[datasetId][generation][token] = Pool(pool.earnedPerBps, 0, 0);
            _held[datasetId][generation][token] = 0;
            _treasuryAccrued[token] += amount;
            emit RoyaltyForfeited(datasetId, generation, token, amount);
        }
    }

    /// @inheritdoc IRoyaltyVault
    function sweep(address token) external nonReentrant returns (uint256 amount) {
        uint256 balance = token == NATIVE ? address(this).balance : IERC20(token).balanceOf(address(this));
        uint256 owed_ = _owedOf(token);
        if (balance <= owed_) revert RoyaltyVaultNothingToSweep(token);
        amount = balance - owed_;
        address treasury = _treasury;
        emit Swept(token, treasury, amount);
        _transfer(token, treasury, amount);
    }

    /// @inheritdoc IRoyaltyVault
    function claimTreasury(address token) external nonReentrant returns (uint256 amount) {
        amount = _treasuryAccrued[token];
        address treasury = _treasury;
        if (amount == 0) revert RoyaltyVaultNothingToClaim(treasury);
        _treasuryAccrued[token] = 0;
        emit TreasuryClaimed(token, treasury, amount);
        _send(token, treasury, amount);
    }

    /// @inheritdoc IRoyaltyVault
    function recordTraining(uint256 modelId, uint16 generation, bytes32 root, uint64 totalWeight) external {
        if (msg.sender != address(_datasets())) revert RoyaltyVaultNotDatasets(msg.sender);
        if (bytes24(root) == bytes24(0) || totalWeight == 0) revert RoyaltyVaultInvalidTrainingRecord(modelId);
        // each publication of an id is a new generation: its own record, pools and checkpoints
        if (_training[modelId][generation].totalWeight != 0) revert RoyaltyVaultTrainingRecordSet(modelId);
        _training[modelId][generation] = TrainingRecord(bytes24(root), totalWeight);
        emit TrainingRecordSet(modelId, generation, root, totalWeight);
    }

    /// @inheritdoc IRoyaltyVault
    function pullTrainingShare(
        uint256 modelId,
        uint16 generation,
        uint256 datasetId,
        uint256 weight,
        bytes32[] calldata proof,
        address[] calldata tokens
    ) external nonReentrant returns (uint256[] memory amounts) {
        _checkTrainingProof(modelId, generation, datasetId, weight, proof);
        amounts = new uint256[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            amounts[i] = _takeTrainingShare(modelId, generation, datasetId, weight, tokens[i]);
        }
        _creditTrainingShares(modelId, datasetId, tokens, amounts);
    }

    /// @inheritdoc IRoyaltyVault
    function setTokenAllowed(address token, bool allowed) external onlyRole(ALLOWLIST_ROLE) {
        if (token == NATIVE) revert RoyaltyVaultZeroAddress();
        _allowedTokens[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    /// @inheritdoc IRoyaltyVault
    function setProtocolFee(uint16 feeBps, address treasury) external onlyRole(FEE_ROLE) {
        if (feeBps > MAX_PROTOCOL_FEE_BPS || treasury == address(0)) revert RoyaltyVaultInvalidFee(feeBps, treasury);
        _feeBps = feeBps;
        _treasury = treasury;
        emit ProtocolFeeSet(feeBps, treasury);
    }

    /// @inheritdoc IRoyaltyVault
    function setConsentGate(address rights) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (rights != address(0) && IDatasetRights(rights).datasets() != address(_datasets())) {
            revert RoyaltyVaultInvalidRights(rights);
        }
        _consentRights = rights;
        _gated = rights != address(0);
        emit ConsentGateSet(rights);
    }

    /// @inheritdoc IRoyaltyVault
    function consentGate() external view returns (address) {
        return _consentRights;
    }

    /// @inheritdoc IRoyaltyVault
    function claimable(uint256 datasetId, address token, address account) external view returns (uint256) {
        (uint16 share, uint16 generation) = _datasets().claimShareOf(datasetId, account);
        if (_gated && !IDatasetRights(_consentRights).hasConsentedTo(datasetId, generation, account)) return 0;
        return uint256(share)
            * (_pools[datasetId][generation][token].earnedPerBps - _checkpoints[datasetId][generation][token][account]);
    }

    /// @inheritdoc IRoyaltyVault
    function poolOf(uint256 datasetId, address token) external view returns (Pool memory) {
        uint16 generation = _datasets().generationOf(datasetId);
        return _pools[datasetId][generation][token];
    }

    /// @inheritdoc IRoyaltyVault
    function poolAt(uint256 datasetId, uint16 generation, address token) external view returns (Pool memory) {
        return _pools[datasetId][generation][token];
    }

    /// @inheritdoc IRoyaltyVault
    function pendingAncestorOf(uint256 datasetId, address token) external view returns (uint256) {
        uint16 generation = _datasets().generationOf(datasetId);
        return _pendingAncestor[datasetId][generation][token];
    }

    /// @inheritdoc IRoyaltyVault
    function owed(address token) external view returns (uint256) {
        return _owedOf(token);
    }

    /// @inheritdoc IRoyaltyVault
    function heldOf(uint256 datasetId, address token) external view returns (uint256) {
        uint16 generation = _datasets().generationOf(datasetId);
        return _held[datasetId][generation][token];
    }

    /// @inheritdoc IRoyaltyVault
    function treasuryAccrued(address token) external view returns (uint256) {
        return _treasuryAccrued[token];
    }

    /// @inheritdoc IRoyaltyVault
    function trainingRecordOf(uint256 modelId, uint16 generation)
        external
        view
        returns (bytes24 root, uint64 totalWeight)
    {
        TrainingRecord memory record = _training[modelId][generation];
        return (record.root, record.totalWeight);
    }

    /// @inheritdoc IRoyaltyVault
    function trainingShareOf(uint256 modelId, uint16 generation, uint256 datasetId, uint256 weight, address token)
        external
        view
        returns (uint256 amount)
    {
        TrainingPool memory pool = _trainingPools[modelId][generation][token];
        amount = weight * (pool.perWeight - _trainingCheckpoints[modelId][generation][datasetId][token]) / _PER_WEIGHT;
        if (amount > pool.balance) amount = pool.balance;
    }

    /// @inheritdoc IRoyaltyVault
    function trainingPoolOf(uint256 modelId, uint16 generation, address token)
        external
        view
        returns (uint256 perWeight, uint256 balance)
    {
        TrainingPool memory pool = _trainingPools[modelId][generation][token];
        return (pool.perWeight, pool.balance);
    }

    /// @inheritdoc IRoyaltyVault
    function protocolFee() external view returns (uint16 feeBps, address treasury) {
        return (_feeBps, _treasury);
    }

    /// @inheritdoc IRoyaltyVault
    function isTokenAllowed(address token) external view returns (bool) {
        return token == NATIVE || _allowedTokens[token];
    }

    /// @inheritdoc IRoyaltyVault
    function datasets() external view returns (address) {
        return address(_datasets());
    }

    // ------------------------------------------------------------------ public
    /// @inheritdoc IRoyaltyVault
    function royaltyReceiverOf(uint256 datasetId) public view returns (address) {
        bytes32 codeHash = _RECEIVER_CODE_HASH == 0 ? _receiverCodeHashOf(address(this)) : _RECEIVER_CODE_HASH;
        return Create2.computeAddress(bytes32(datasetId), codeHash);
    }

    // ------------------------------------------------------------------ private
    function _payToken(uint256 datasetId, address token, uint256 amount) private nonReentrant {
        _pay(datasetId, token, amount);
    }

    function _pay(uint256 datasetId, address token, uint256 amount) private {
        if (amount == 0) revert RoyaltyVaultZeroAmount();
        (bool open, uint16 ancestorBps, uint16 generation) = _datasets().royaltyTermsOf(datasetId);
        if (!open) revert RoyaltyVaultDatasetClosed(datasetId);
        if (token == NATIVE) {
            if (msg.value != amount) revert RoyaltyVaultValueMismatch(msg.value, amount);
        } else {
            if (msg.value != 0) revert RoyaltyVaultValueMismatch(msg.value, amount);
            _pull(token, msg.sender, amount);
        }
        _addOwed(token, amount);
        _credit(datasetId, generation, token, amount, ancestorBps, true, msg.sender);
    }

    function _owedOf(address token) private view returns (uint256) {
        return token == NATIVE ? _owedNative : _owed[token];
    }

    function _addOwed(address token, uint256 amount) private {
        if (token == NATIVE) _owedNative = SafeCast.toUint232(_owedNative + amount);
        else _owed[token] += amount;
    }

    function _initVault(address admin, address treasury, uint16 feeBps, address[] memory allowedTokens)
        private
        initializer
    {
        if (treasury == address(0)) revert RoyaltyVaultZeroAddress();
        if (feeBps > MAX_PROTOCOL_FEE_BPS) revert RoyaltyVaultInvalidFee(feeBps, treasury);
        __AccessControl_init();
        __ReentrancyGuard_init();
        _treasury = treasury;
        _feeBps = feeBps;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (allowedTokens.length != 0 || feeBps != 0) {
            _grantRole(ALLOWLIST_ROLE, admin);
            _grantRole(FEE_ROLE, admin);
        }
        for (uint256 i; i < allowedTokens.length; ++i) {
            if (allowedTokens[i] == NATIVE) revert RoyaltyVaultZeroAddress();
            _allowedTokens[allowedTokens[i]] = true;
            emit TokenAllowed(allowedTokens[i], true);
        }
        if (feeBps != 0) emit ProtocolFeeSet(feeBps, treasury);
    }

    function _checkTrainingProof(
        uint256 modelId,
        uint16 generation,
        uint256 datasetId,
        uint256 weight,
        bytes32[] calldata proof
    ) private view {
        TrainingRecord memory record = _training[modelId][generation];
        if (record.totalWeight == 0) revert RoyaltyVaultNoTrainingRecord(modelId);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(datasetId, weight))));
        if (bytes24(MerkleProof.processProofCalldata(proof, leaf)) != record.root) {
            revert RoyaltyVaultInvalidTrainingProof(modelId, datasetId, weight);
        }
    }

    /// @dev What `datasetId` of `weight` is owed from the model's pool since its last pull, taken
    /// out of the pool (never more than the pool holds: a root whose weights overstate their sum).
    function _takeTrainingShare(uint256 modelId, uint16 generation, uint256 datasetId, uint256 weight, address token)
        private
        returns (uint256 amount)
    {
        TrainingPool storage pool = _trainingPools[modelId][generation][token];
        uint256 perWeight = pool.perWeight;
        uint256 last = _trainingCheckpoints[modelId][generation][datasetId][token];
        if (perWeight == last) return 0;
        _trainingCheckpoints[modelId][generation][datasetId][token] = perWeight;
        amount = weight * (perWeight - last) / _PER_WEIGHT;
        uint256 balance = pool.balance;
        if (amount > balance) amount = balance;
        pool.balance = balance - amount;
    }

    /// @dev Credits what `datasetId` pulled from model `modelId` in each of `tokens` to its own
    /// pool, as a payment (to the treasury when it takes no money).
    function _creditTrainingShares(
        uint256 modelId,
        uint256 datasetId,
        address[] calldata tokens,
        uint256[] memory amounts
    ) private {
        (bool open, uint16 ancestorBps, uint16 generation) = _datasets().royaltyTermsOf(datasetId);
        for (uint256 i; i < tokens.length; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) continue;
            address token = tokens[i];
            emit TrainingSharePulled(modelId, datasetId, token, amount);
            if (open) _credit(datasetId, generation, token, amount, ancestorBps, false, address(this));
            else _treasuryAccrued[token] += amount;
        }
    }

    /// @dev Splits a dataset's pending ancestor share between its parents.
    function _settle(IDatasetNFT datasets_, uint256 datasetId, address token) private {
        uint16 generation = datasets_.generationOf(datasetId);
        uint256 amount = _pendingAncestor[datasetId][generation][token];
        if (amount == 0) return;
        _pendingAncestor[datasetId][generation][token] = 0;
        if (_accrueTraining(datasetId, generation, token, amount)) return;
        _payParents(datasets_, datasetId, token, amount, datasets_.parentsOf(datasetId));
    }

    /// @dev A model generation with a training record: one write credits every dataset it learned
    /// from (false, nothing done, for any other dataset).
    function _accrueTraining(uint256 modelId, uint16 generation, address token, uint256 amount)
        private
        returns (bool)
    {
        uint64 totalWeight = _training[modelId][generation].totalWeight;
        if (totalWeight == 0) return false;
        TrainingPool storage pool = _trainingPools[modelId][generation][token];
        pool.perWeight += amount * _PER_WEIGHT / totalWeight;
        pool.balance += amount;
        emit TrainingShareAccrued(modelId, token, amount);
        return true;
    }

    /// @dev Splits `amount` of `datasetId`'s ancestor share between `parents` (a parent that takes
    /// no money, or none at all, sends its part to the treasury).
    function _payParents(
        IDatasetNFT datasets_,
        uint256 datasetId,
        address token,
        uint256 amount,
        uint256[] memory parents
    ) private {
        emit AncestorRoyaltySettled(datasetId, token, amount, parents);
        uint256 n = parents.length;
        if (n == 0) {
            _treasuryAccrued[token] += amount;
            return;
        }
        uint256 each = amount / n;
        for (uint256 j; j < n; ++j) {
            uint256 part = j == 0 ? each + amount % n : each;
            if (part == 0) continue;
            (bool open, uint16 ancestorBps, uint16 parentGeneration) = datasets_.royaltyTermsOf(parents[j]);
            if (open) _credit(parents[j], parentGeneration, token, part, ancestorBps, false, address(this));
            else _treasuryAccrued[token] += part;
        }
    }

    /// @dev The dataset NFT: the immutable of a direct deployment, or the clone's argument.
    function _datasets() private view returns (IDatasetNFT datasets_) {
        datasets_ = _DATASETS;
        if (address(datasets_) == address(0)) datasets_ = IDatasetNFT(address(uint160(uint256(CloneArgument.word()))));
    }

    function _receiverCodeHashOf(address vault) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(type(RoyaltyReceiver).creationCode, abi.encode(vault)));
    }

    function _credit(
        uint256 datasetId,
        uint16 generation,
        address token,
        uint256 amount,
        uint16 ancestorBps,
        bool chargeFee,
        address payer
    ) private {
        uint256 fee = 0;
        if (chargeFee) {
            uint16 feeBps = _feeBps;
            if (feeBps != 0) {
                fee = amount * feeBps / RoyaltyConstants.BPS;
                _treasuryAccrued[token] += fee;
            }
        }
        uint256 ancestorShare = (amount - fee) * ancestorBps / RoyaltyConstants.BPS;
        if (ancestorShare != 0) _pendingAncestor[datasetId][generation][token] += ancestorShare;
        uint256 contributorShare = amount - fee - ancestorShare;
        (uint128 earnedPerBps, uint16 carry) = _addToPool(_pools[datasetId][generation][token], contributorShare);
        emit RoyaltyPaid(datasetId, token, payer, amount, fee, ancestorShare, contributorShare, earnedPerBps, carry);
    }

    /// @dev Adds `amount` to `slot`, whole units per basis point to `earnedPerBps`, the rest to carry.
    function _addToPool(Pool storage slot, uint256 amount) private returns (uint128 earnedPerBps, uint16 carry) {
        Pool memory pool = slot;
        uint256 total = amount + pool.carry;
        uint256 rest = total % RoyaltyConstants.BPS;
        uint256 whole = total - rest; // what divides into basis points: credited now
        earnedPerBps = pool.earnedPerBps + SafeCast.toUint128(whole / RoyaltyConstants.BPS);
        uint112 outstanding = pool.outstanding + SafeCast.toUint112(whole);
        carry = uint16(rest);
        slot.earnedPerBps = earnedPerBps;
        slot.outstanding = outstanding;
        slot.carry = carry;
    }

    function _claim(address account, uint256[] calldata datasetIds, address[] calldata tokens, address recipient)
        private
        returns (uint256[] memory amounts)
    {
        amounts = new uint256[](tokens.length);
        uint256 total = 0;
        // read with the ETH owed (one slot): an ETH claim pays no more for the gate when it is off
        IDatasetRights rights = _gated ? IDatasetRights(_consentRights) : IDatasetRights(address(0));
        for (uint256 t; t < tokens.length; ++t) {
            address token = tokens[t];
            uint256 sum = 0;
            for (uint256 d; d < datasetIds.length; ++d) {
                sum += _claimOne(account, datasetIds[d], token, rights);
            }
            amounts[t] = sum;
            total += sum;
        }
        if (total == 0) revert RoyaltyVaultNothingToClaim(account);
        for (uint256 t; t < tokens.length; ++t) {
            if (amounts[t] != 0) _send(tokens[t], recipient, amounts[t]);
        }
    }

    /// @dev With a consent gate (`rights` non-zero), a share not consented to stays in the pool.
    function _claimOne(address account, uint256 datasetId, address token, IDatasetRights rights)
        private
        returns (uint256 amount)
    {
        (uint16 share, uint16 generation) = _datasets().claimShareOf(datasetId, account);
        if (share == 0) return 0;
        if (address(rights) != address(0) && !rights.hasConsentedTo(datasetId, generation, account)) return 0;
        // each slot's key hashed once (a nested mapping's key is three to four hashes)
        Pool storage slot = _pools[datasetId][generation][token];
        mapping(address account => uint256) storage checkpoints = _checkpoints[datasetId][generation][token];
        Pool memory pool = slot;
        uint256 checkpoint = checkpoints[account];
        if (pool.earnedPerBps == checkpoint) return 0;
        checkpoints[account] = pool.earnedPerBps;
        amount = share * (pool.earnedPerBps - checkpoint);
        slot.outstanding = pool.outstanding - uint112(amount);
        emit RoyaltyClaimed(datasetId, token, account, amount, pool.earnedPerBps);
    }

    function _pull(address token, address from, uint256 amount) private {
        if (!_allowedTokens[token]) revert RoyaltyVaultTokenNotAllowed(token);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert RoyaltyVaultAmountNotReceived(token, amount, received);
    }

    /// @dev Pays out money the vault owed.
    function _send(address token, address to, uint256 amount) private {
        if (token == NATIVE) _owedNative -= SafeCast.toUint232(amount);
        else _owed[token] -= amount;
        _transfer(token, to, amount);
    }

    function _transfer(address token, address to, uint256 amount) private {
        if (token == NATIVE) Address.sendValue(payable(to), amount);
        else IERC20(token).safeTransfer(to, amount);
    }
}
