// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

interface IRebasingShares {
    function getPooledEthByShares(uint256 shares) external view returns (uint256);
    function getSharesByPooledEth(uint256 eth) external view returns (uint256);
    function transferSharesFrom(address from, address to, uint256 shares) external returns (uint256);
    function transferShares(address to, uint256 shares) external returns (uint256);
}

/// @title TestWrappedLst
/// @notice Non-rebasing wrapper of a TestRebasingPool token (the wstETH / weETH role): one wrapped token is one
/// share, so its ETH rate is the pool's share rate and moves only when the pool's admin reports.
abstract contract TestWrappedLst {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    IRebasingShares public immutable underlying;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, address underlying_) {
        name = name_;
        symbol = symbol_;
        underlying = IRebasingShares(underlying_);
    }

    /// @notice Wraps `amount` of the rebasing token; returns the wrapped amount (= shares).
    function wrap(uint256 amount) public returns (uint256 shares) {
        require(amount > 0, "wrap: zero amount");
        shares = underlying.getSharesByPooledEth(amount);
        underlying.transferSharesFrom(msg.sender, address(this), shares);
        totalSupply += shares;
        balanceOf[msg.sender] += shares;
        emit Transfer(address(0), msg.sender, shares);
    }

    /// @notice Unwraps `amount` wrapped tokens; returns the rebasing-token amount sent back.
    function unwrap(uint256 amount) public returns (uint256) {
        require(amount > 0, "unwrap: zero amount");
        require(balanceOf[msg.sender] >= amount, "unwrap: amount exceeds balance");
        balanceOf[msg.sender] -= amount;
        totalSupply -= amount;
        emit Transfer(msg.sender, address(0), amount);
        return underlying.transferShares(msg.sender, amount);
    }

    /// @notice ETH per wrapped token, 18 decimals.
    function _rate() internal view returns (uint256) {
        return underlying.getPooledEthByShares(1e18);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "ERC20: insufficient allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(balanceOf[from] >= amount, "ERC20: transfer amount exceeds balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
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
