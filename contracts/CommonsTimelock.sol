// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

/// @title CommonsTimelock
/// @notice OpenZeppelin's TimelockController under the commons' name: it holds every role of the
/// suite and the treasury; the governor is its only proposer and canceller, anyone executes.
/// @dev Built from the upgradeable family so that one source serves both ways of launching a
/// commons: deployed directly (the constructor initialises it) or as an ERC-1167 clone that the
/// CommonsFactory initialises (`initialize`, inherited) in the transaction that creates it. No
/// proxy is upgradeable: a clone's implementation is fixed in its code.
contract CommonsTimelock is TimelockControllerUpgradeable {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin) {
        initialize(minDelay, proposers, executors, admin);
    }
}
