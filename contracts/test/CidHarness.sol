// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CidEncoding} from "../libraries/CidEncoding.sol";

/// @notice Exposes CidEncoding to the tests.
contract CidHarness {
    function toBase32(uint32 codec, bytes32 digest) external pure returns (string memory) {
        return CidEncoding.toBase32(codec, digest);
    }
}
