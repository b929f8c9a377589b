// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IRoyaltyReceiver} from "../interfaces/IRoyaltyReceiver.sol";

/// @title RoyaltyReceiver
/// @notice One per dataset, at a CREATE2 address the vault predicts (ERC-2981 names it before it
/// exists; ETH sent to it then simply waits there). Not a proxy: a plain ETH transfer with the
/// 2,300 gas stipend must succeed, which a delegating clone could not promise.
contract RoyaltyReceiver is IRoyaltyReceiver {
    address private immutable _VAULT;

    constructor(address vault) {
        _VAULT = vault;
    }

    /// @notice Accepts marketplace royalties.
    receive() external payable {}

    /// @inheritdoc IRoyaltyReceiver
    function release() external returns (uint256 amount) {
        if (msg.sender != _VAULT) revert RoyaltyReceiverUnauthorized(msg.sender);
        amount = address(this).balance;
        if (amount != 0) Address.sendValue(payable(_VAULT), amount);
    }
}
