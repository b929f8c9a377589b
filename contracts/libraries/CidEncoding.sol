// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CidEncoding
/// @notice Rebuilds a CIDv1 from what the contracts store (a multicodec and a sha2-256 digest)
/// and writes it as multibase base32 text ("b" + RFC 4648 lower case, no padding), the form
/// `ipfs add --cid-version=1` prints.
library CidEncoding {
    bytes32 private constant _BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    uint8 private constant _CID_V1 = 0x01;
    uint8 private constant _SHA2_256 = 0x12;
    uint8 private constant _SHA2_256_LENGTH = 0x20;

    /// @notice The binary CIDv1: version, codec (unsigned varint), multihash (sha2-256, 32 bytes).
    function toCidV1(uint32 codec, bytes32 digest) internal pure returns (bytes memory) {
        return abi.encodePacked(_CID_V1, _varint(codec), _SHA2_256, _SHA2_256_LENGTH, digest);
    }

    /// @notice The CIDv1 as base32 multibase text, e.g. "bafkrei...".
    function toBase32(uint32 codec, bytes32 digest) internal pure returns (string memory) {
        bytes memory data = toCidV1(codec, digest);
        bytes memory out = new bytes(1 + (data.length * 8 + 4) / 5);
        out[0] = "b";
        uint256 buffer = 0;
        uint256 bits = 0;
        uint256 j = 1;
        for (uint256 i; i < data.length; ++i) {
            buffer = (buffer << 8) | uint8(data[i]);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[j++] = _BASE32_ALPHABET[(buffer >> bits) & 31];
            }
        }
        if (bits > 0) out[j] = _BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
        return string(out);
    }

    function _varint(uint32 value) private pure returns (bytes memory out) {
        uint256 v = value;
        while (v >= 0x80) {
            out = abi.encodePacked(out, uint8(v & 0x7f) | 0x80);
            v >>= 7;
        }
        out = abi.encodePacked(out, uint8(v));
    }
}
