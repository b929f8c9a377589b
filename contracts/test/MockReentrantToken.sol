// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A hostile ERC-20: once armed, every transfer calls `target` with `data` first (sending
/// along whatever ETH it holds) and bubbles up its revert, so a test sees exactly what the
/// reentered call answered.
contract MockReentrantToken is ERC20 {
    address public target;
    bytes public data;

    constructor() ERC20("Hostile", "HOST") {}

    receive() external payable {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
    }

    function _update(address from, address to, uint256 value) internal override {
        address t = target;
        if (t != address(0) && from != address(0)) {
            target = address(0);
            (bool ok, bytes memory returned) = t.call{value: address(this).balance}(data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(returned, 32), mload(returned))
                }
            }
        }
        super._update(from, to, value);
    }
}
