// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestTokenBase} from "./TestTokenBase.sol";

interface IRebasingShares {
    function getPooledEthByShares(uint256 shares) external view returns (uint256);
    function getSharesByPooledEth(uint256 eth) external view returns (uint256);
    function transferSharesFrom(address from, address to, uint256 shares) external returns (uint256);
    function transferShares(address to, uint256 shares) external returns (uint256);
}

/// @title TestWrappedLst
/// @notice Non-rebasing wrapper of a TestRebasingPool token (the wstETH / weETH role): one wrapped token is one
/// share, so its ETH rate is the pool's share rate and moves only when the pool's admin reports.
abstract contract TestWrappedLst is TestTokenBase {
    IRebasingShares public immutable underlying;

    constructor(string memory name_, string memory symbol_, address underlying_) TestTokenBase(name_, symbol_) {
        underlying = IRebasingShares(underlying_);
    }

    function decimals() public pure override returns (uint8) {
        return 18;
    }

    /// @notice Wraps `amount` of the rebasing token; returns the wrapped amount (= shares).
    function wrap(uint256 amount) public returns (uint256 shares) {
        require(amount > 0, "wrap: zero amount");
        shares = underlying.getSharesByPooledEth(amount);
        underlying.transferSharesFrom(msg.sender, address(this), shares);
        _mint(msg.sender, shares);
    }

    /// @notice Unwraps `amount` wrapped tokens; returns the rebasing-token amount sent back.
    function unwrap(uint256 amount) public returns (uint256) {
        require(amount > 0, "unwrap: zero amount");
        require(balanceOf[msg.sender] >= amount, "unwrap: amount exceeds balance");
        _burn(msg.sender, amount);
        return underlying.transferShares(msg.sender, amount);
    }

    /// @notice ETH per wrapped token, 18 decimals.
    function _rate() internal view returns (uint256) {
        return underlying.getPooledEthByShares(1e18);
    }
}

/// @notice wstETH interface: stEthPerToken, getStETHByWstETH / getWstETHByStETH, wrap / unwrap.
contract TestWstETH is TestWrappedLst {
    constructor(address stETH) TestWrappedLst("Wrapped liquid staked Ether 2.0 (devnet)", "wstETH", stETH) {}

    function stEthPerToken() external view returns (uint256) {
        return _rate();
    }

    function getStETHByWstETH(uint256 amount) external view returns (uint256) {
        return underlying.getPooledEthByShares(amount);
    }

    function getWstETHByStETH(uint256 amount) external view returns (uint256) {
        return underlying.getSharesByPooledEth(amount);
    }
}

/// @notice weETH interface: getRate, getEETHByWeETH / getWeETHByeETH, wrap / unwrap.
contract TestWeETH is TestWrappedLst {
    constructor(address eETH) TestWrappedLst("Wrapped eETH (devnet)", "weETH", eETH) {}

    function getRate() external view returns (uint256) {
        return _rate();
    }

    function getEETHByWeETH(uint256 amount) external view returns (uint256) {
        return underlying.getPooledEthByShares(amount);
    }

    function getWeETHByeETH(uint256 amount) external view returns (uint256) {
        return underlying.getSharesByPooledEth(amount);
    }
}
