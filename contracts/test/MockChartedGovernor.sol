// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @dev A governor whose every proposal has passed, with all of a one-vote supply in favour: the
/// charter's caps are tested without mining a vote per step. Counts what the charter queued.
contract MockChartedGovernor {
    uint256 public queued;

    function getProposalId(address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 d)
        public
        pure
        returns (uint256)
    {
        return uint256(keccak256(abi.encode(targets, values, calldatas, d)));
    }

    function proposalSnapshot(uint256) external pure returns (uint256) {
        return 1;
    }

    function proposalDeadline(uint256) external pure returns (uint256) {
        return 1;
    }

    function state(uint256) external pure returns (IGovernor.ProposalState) {
        return IGovernor.ProposalState.Succeeded;
    }

    function proposalVotes(uint256) external pure returns (uint256, uint256, uint256) {
        return (0, 1, 0);
    }

    function token() external view returns (address) {
        return address(this);
    }

    function getPastTotalSupply(uint256) external pure returns (uint256) {
        return 1;
    }

    function queue(address[] calldata targets, uint256[] calldata values, bytes[] calldata calldatas, bytes32 d)
        external
        returns (uint256)
    {
        ++queued;
        return getProposalId(targets, values, calldatas, d);
    }
}
