// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IContributorRegistry} from "./IContributorRegistry.sol";

/// @title IDatasetNFTDeployer
/// @notice Deploys a full DatasetNFT for the CommonsFactory (the NFT's creation code does not fit
/// in the factory's own code next to the factory's logic).
interface IDatasetNFTDeployer {
    /// @notice Deploys a DatasetNFT with these constructor arguments (CREATE: the address follows
    /// this deployer's nonce, so nobody can take it in advance). Anyone may call it: the result is
    /// an ordinary NFT whose admin is `admin`.
    function deploy(IContributorRegistry registry, address admin, uint64 minCommitAge, uint64 commitTtl)
        external
        returns (address datasets);
}
