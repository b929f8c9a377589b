// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IRoyaltyReceiver} from "../interfaces/IRoyaltyReceiver.sol";

/// @title RoyaltyReceiver
/// @notice One per dataset, at a CREATE2 address the vault predicts (ERC-2981 names it before it
/// exists; ETH or tokens sent to it then simply wait there). Not a proxy: a plain ETH transfer
/// with the 2,300 gas stipend must succeed, which a delegating clone could not promise.
contract RoyaltyReceiver is IRoyaltyReceiver {
    using SafeERC20 for IERC20;

    address private immutable _VAULT;

    constructor(address vault) {
        _VAULT = vault;
    }

    /// @notice Accepts marketplace royalties.
    receive() external payable {}

    /// @inheritdoc IRoyaltyReceiver
    function release() external returns (uint256 amount) {
        _onlyVault();
        amount = address(this).balance;
        if (amount != 0) Address.sendValue(payable(_VAULT), amount);
    }

    /// @inheritdoc IRoyaltyReceiver
    function releaseToken(address token) external {
        _onlyVault();
        uint256 amount = IERC20(token).balanceOf(address(this));
        if (amount != 0) IERC20(token).safeTransfer(_VAULT, amount);
    }

    function _onlyVault() private view {
        if (msg.sender != _VAULT) revert RoyaltyReceiverUnauthorized(msg.sender);
    }
}
