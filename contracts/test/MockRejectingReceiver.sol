// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IContributorRegistry} from "../../interfaces/IContributorRegistry.sol";
import {IRoyaltyVault} from "../../interfaces/IRoyaltyVault.sol";

/// @notice A registered contributor contract that refuses every ETH transfer (griefing tests).
contract MockRejectingReceiver {
    error MockRejected();

    function register(IContributorRegistry registry) external {
        registry.register(keccak256("rejecting"), 0x55, keccak256("KE/education"));
    }

    /// @notice The way out for a contributor that cannot receive: its earnings go elsewhere.
    function claimTo(IRoyaltyVault vault, address recipient, uint256[] calldata datasetIds, address[] calldata tokens)
        external
    {
        vault.claimTo(recipient, datasetIds, tokens);
    }

    receive() external payable {
        revert MockRejected();
    }
}
