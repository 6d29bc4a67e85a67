// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestTokenBase} from "./TestTokenBase.sol";

/// @title TestERC20
/// @notice Plain ERC-20 with owner minting, used on the devnet for tokens that have no protocol of their own (USDT).
contract TestERC20 is TestTokenBase {
    uint8 private immutable decimals_;
    address public immutable owner;

    constructor(string memory name_, string memory symbol_, uint8 tokenDecimals) TestTokenBase(name_, symbol_) {
        decimals_ = tokenDecimals;
        owner = msg.sender;
    }

    function decimals() public view override returns (uint8) {
        return decimals_;
    }

    function mint(address to, uint256 amount) external {
        require(msg.sender == owner, "TestERC20: not owner");
        _mint(to, amount);
    }
}
