// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IDatasetNFT} from "../interfaces/IDatasetNFT.sol";
import {IRoyaltyReceiver} from "../interfaces/IRoyaltyReceiver.sol";
import {IRoyaltyVault} from "../interfaces/IRoyaltyVault.sol";
import {RoyaltyConstants} from "./libraries/RoyaltyConstants.sol";
import {RoyaltyReceiver} from "./RoyaltyReceiver.sol";

/// @title RoyaltyVault
/// @notice Constant-cost royalty accounting for datasets: pay once, every contributor's share is
/// credited; each contributor pulls what it is owed.
contract RoyaltyVault is IRoyaltyVault, AccessControl, ReentrancyGuard {
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

    IDatasetNFT private immutable _DATASETS;
    bytes32 private immutable _RECEIVER_CODE_HASH;

    // ------------------------------------------------------------------ storage
    mapping(uint256 datasetId => mapping(address token => Pool)) private _pools;
    mapping(uint256 datasetId => mapping(address token => uint256)) private _pendingAncestor;
    mapping(uint256 datasetId => mapping(address token => mapping(address account => uint256 earnedPerBps)))
        private _checkpoints;
    mapping(address token => bool) private _allowedTokens;
    mapping(address token => uint256) private _treasuryAccrued;
    address private _treasury;
    uint16 private _feeBps;
    address private _collecting;

    // ------------------------------------------------------------------ constructor
    /// @param datasets_ the dataset NFT whose shares and lineage this vault pays out
    /// @param admin the account given the admin role (the timelock once deployment is wired)
    /// @param treasury the account protocol fees accrue to (the timelock)
    constructor(IDatasetNFT datasets_, address admin, address treasury) {
        if (address(datasets_) == address(0) || treasury == address(0)) revert RoyaltyVaultZeroAddress();
        _DATASETS = datasets_;
        _RECEIVER_CODE_HASH = keccak256(abi.encodePacked(type(RoyaltyReceiver).creationCode, abi.encode(address(this))));
        _treasury = treasury;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Accepts ETH only from a dataset receiver while the vault collects from it.
    receive() external payable {
        if (msg.sender != _collecting) revert RoyaltyVaultUnexpectedEther(msg.sender);
    }

    // ------------------------------------------------------------------ external
    /// @inheritdoc IRoyaltyVault
    function pay(uint256 datasetId, address token, uint256 amount) external payable nonReentrant {
        if (amount == 0) revert RoyaltyVaultZeroAmount();
        uint16 ancestorBps = _DATASETS.ancestorBpsOf(datasetId);
        if (token == NATIVE) {
            if (msg.value != amount) revert RoyaltyVaultValueMismatch(msg.value, amount);
        } else {
            if (msg.value != 0) revert RoyaltyVaultValueMismatch(msg.value, amount);
            _pull(token, msg.sender, amount);
        }
        _credit(datasetId, token, amount, ancestorBps, true, msg.sender);
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
        for (uint256 i; i < datasetIds.length; ++i) {
            uint256 datasetId = datasetIds[i];
            uint256 amount = _pendingAncestor[datasetId][token];
            if (amount == 0) continue;
            _pendingAncestor[datasetId][token] = 0;
            uint256[] memory parents = _DATASETS.parentsOf(datasetId);
            emit AncestorRoyaltySettled(datasetId, token, amount, parents);
            uint256 n = parents.length;
            uint256 each = amount / n;
            for (uint256 j; j < n; ++j) {
                uint256 part = j == 0 ? each + amount % n : each;
                if (part == 0) continue;
                _credit(parents[j], token, part, _DATASETS.ancestorBpsOf(parents[j]), false, address(this));
            }
        }
    }

    /// @inheritdoc IRoyaltyVault
    function collect(uint256 datasetId) external nonReentrant returns (uint256 amount) {
        uint16 ancestorBps = _DATASETS.ancestorBpsOf(datasetId);
        address receiver = royaltyReceiverOf(datasetId);
        if (receiver.code.length == 0) new RoyaltyReceiver{salt: bytes32(datasetId)}(address(this));
        _collecting = receiver;
        amount = IRoyaltyReceiver(receiver).release();
        _collecting = address(0);
        emit ReceiverCollected(datasetId, receiver, amount);
        if (amount != 0) _credit(datasetId, NATIVE, amount, ancestorBps, true, receiver);
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
    function claimable(uint256 datasetId, address token, address account) external view returns (uint256) {
        return uint256(_DATASETS.shareOf(datasetId, account))
            * (_pools[datasetId][token].earnedPerBps - _checkpoints[datasetId][token][account]);
    }

    /// @inheritdoc IRoyaltyVault
    function poolOf(uint256 datasetId, address token) external view returns (Pool memory) {
        return _pools[datasetId][token];
    }

    /// @inheritdoc IRoyaltyVault
    function pendingAncestorOf(uint256 datasetId, address token) external view returns (uint256) {
        return _pendingAncestor[datasetId][token];
    }

    /// @inheritdoc IRoyaltyVault
    function treasuryAccrued(address token) external view returns (uint256) {
        return _treasuryAccrued[token];
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
        return address(_DATASETS);
    }

    // ------------------------------------------------------------------ public
    /// @inheritdoc IRoyaltyVault
    function royaltyReceiverOf(uint256 datasetId) public view returns (address) {
        return Create2.computeAddress(bytes32(datasetId), _RECEIVER_CODE_HASH);
    }

    // ------------------------------------------------------------------ private
    function _credit(
        uint256 datasetId,
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
        if (ancestorShare != 0) _pendingAncestor[datasetId][token] += ancestorShare;
        uint256 contributorShare = amount - fee - ancestorShare;

        Pool memory pool = _pools[datasetId][token];
        uint256 total = contributorShare + pool.carry;
        uint240 earnedPerBps = pool.earnedPerBps + SafeCast.toUint240(total / RoyaltyConstants.BPS);
        uint16 carry = uint16(total % RoyaltyConstants.BPS);
        _pools[datasetId][token] = Pool(earnedPerBps, carry);
        emit RoyaltyPaid(datasetId, token, payer, amount, fee, ancestorShare, contributorShare, earnedPerBps, carry);
    }

    function _claim(address account, uint256[] calldata datasetIds, address[] calldata tokens, address recipient)
        private
        returns (uint256[] memory amounts)
    {
        amounts = new uint256[](tokens.length);
        uint256 total = 0;
        for (uint256 t; t < tokens.length; ++t) {
            address token = tokens[t];
            uint256 sum = 0;
            for (uint256 d; d < datasetIds.length; ++d) {
                sum += _claimOne(account, datasetIds[d], token);
            }
            amounts[t] = sum;
            total += sum;
        }
        if (total == 0) revert RoyaltyVaultNothingToClaim(account);
        for (uint256 t; t < tokens.length; ++t) {
            if (amounts[t] != 0) _send(tokens[t], recipient, amounts[t]);
        }
    }

    function _claimOne(address account, uint256 datasetId, address token) private returns (uint256 owed) {
        uint256 share = _DATASETS.shareOf(datasetId, account);
        if (share == 0) return 0;
        uint256 earned = _pools[datasetId][token].earnedPerBps;
        uint256 checkpoint = _checkpoints[datasetId][token][account];
        if (earned == checkpoint) return 0;
        _checkpoints[datasetId][token][account] = earned;
        owed = share * (earned - checkpoint);
        emit RoyaltyClaimed(datasetId, token, account, owed, earned);
    }

    function _pull(address token, address from, uint256 amount) private {
        if (!_allowedTokens[token]) revert RoyaltyVaultTokenNotAllowed(token);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert RoyaltyVaultAmountNotReceived(token, amount, received);
    }

    function _send(address token, address to, uint256 amount) private {
        if (token == NATIVE) Address.sendValue(payable(to), amount);
        else IERC20(token).safeTransfer(to, amount);
    }
}
