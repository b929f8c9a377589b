// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IContributorRegistry} from "../interfaces/IContributorRegistry.sol";
import {IDatasetNFTDeployer} from "../interfaces/IDatasetNFTDeployer.sol";
import {DatasetNFT} from "./DatasetNFT.sol";

/// @title DatasetNFTDeployer
/// @notice Holds the DatasetNFT creation code for the CommonsFactory.
contract DatasetNFTDeployer is IDatasetNFTDeployer {
    /// @inheritdoc IDatasetNFTDeployer
    function deploy(IContributorRegistry registry, address admin, uint64 minCommitAge, uint64 commitTtl)
        external
        returns (address datasets)
    {
        datasets = address(new DatasetNFT(registry, admin, minCommitAge, commitTtl));
    }
}
