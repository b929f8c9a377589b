// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IContributorRegistry} from "../../interfaces/IContributorRegistry.sol";
import {IRoyaltyVault} from "../../interfaces/IRoyaltyVault.sol";

/// @notice A contributor contract that tries to claim again from inside the ETH payout.
contract MockReentrantClaimer {
    IRoyaltyVault private immutable _VAULT;
    bool public reenter = true;
    uint256 private _datasetId;

    constructor(IRoyaltyVault vault) {
        _VAULT = vault;
    }

    function register(IContributorRegistry registry) external {
        registry.register(keccak256("attacker"), 0x55, keccak256("KE/education"));
    }

    function setReenter(bool value) external {
        reenter = value;
    }

    function attack(uint256 datasetId) external {
        _datasetId = datasetId;
        _claim();
    }

    receive() external payable {
        if (reenter) _claim();
    }

    function _claim() private {
        uint256[] memory ids = new uint256[](1);
        ids[0] = _datasetId;
        address[] memory tokens = new address[](1);
        _VAULT.claim(ids, tokens);
    }
}
