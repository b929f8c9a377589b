// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title CommonsTimelock
/// @notice OpenZeppelin's TimelockController under the commons' name: it holds every role of the
/// suite and the treasury; the governor is its only proposer and canceller, anyone executes.
contract CommonsTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
