// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

import {CommonsGovernor} from "./CommonsGovernor.sol";

/// @title ContributorsGovernor
/// @notice The contributors' house: the commons' governor counted in ContributorVotes (one vote per
/// verified contributor) instead of the token. The same Governor as the token house's; the
/// CommonsCharter says which proposals need which house.
contract ContributorsGovernor is CommonsGovernor {
    /// @param votes the ContributorVotes; zero makes the template clones run
    constructor(string memory name_, IVotes votes, TimelockControllerUpgradeable timelock, Settings memory settings)
        CommonsGovernor(name_, votes, timelock, settings)
    {}
}
