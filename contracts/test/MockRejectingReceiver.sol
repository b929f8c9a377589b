// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IContributorRegistry} from "../../interfaces/IContributorRegistry.sol";

/// @notice A registered contributor contract that refuses every ETH transfer (griefing tests).
contract MockRejectingReceiver {
    error MockRejected();

    function register(IContributorRegistry registry) external {
        registry.register(keccak256("rejecting"), 0x55, keccak256("KE/education"));
    }

    receive() external payable {
        revert MockRejected();
    }
}
