// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DataBlob} from "../libraries/DataBlob.sol";

/// @notice Exposes DataBlob to the tests.
contract DataBlobHarness {
    event Written(address blob);

    function write(bytes calldata data) external returns (address blob) {
        blob = DataBlob.write(data);
        emit Written(blob);
    }

    function readWord(address blob, uint256 offset) external view returns (bytes32) {
        return DataBlob.readWord(blob, offset);
    }

    function findByAddress(address blob, uint256 offset, uint256 stride, uint256 count, address key)
        external
        view
        returns (bytes32)
    {
        return DataBlob.findByAddress(blob, offset, stride, count, key);
    }
}
