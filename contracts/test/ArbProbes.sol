// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// Devnet-only: a hostile "Uniswap V2 pair" for FlashArb's guard tests. It quotes huge reserves and, when
/// swapped on, calls `target` with the calldata it was given (re-entering the arbitrage contract or calling one
/// of its callbacks) and bubbles up the revert.
contract ReentrantPair {
    address public token0;
    address public target;
    bytes public payload;

    constructor(address token0_) {
        token0 = token0_;
    }

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
    }

    function getReserves() external pure returns (uint112, uint112, uint32) {
        return (1e30, 1e30, 0);
    }

    function swap(uint256, uint256, address, bytes calldata) external {
        (bool ok, bytes memory ret) = target.call(payload);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
