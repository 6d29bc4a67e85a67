// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

interface IArbERC20 {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
}

/// Aave V3 Pool: flashLoanSimple (same signature v3.0 to v3.5).
interface IArbAavePool {
    function flashLoanSimple(
        address receiverAddress,
        address asset,
        uint256 amount,
        bytes calldata params,
        uint16 referralCode
    ) external;
}

interface IArbV2Pair {
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function token0() external view returns (address);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

interface IArbV3Pool {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);
    function flash(address recipient, uint256 amount0, uint256 amount1, bytes calldata data) external;
}

/// Atomic multi-hop arbitrage across Uniswap V2 pairs and V3 pools, paid with the owner's capital, an Aave V3
/// flashLoanSimple or a Uniswap V3 flash. Owner-only; callbacks are accepted only from the pool this contract
/// is calling at that moment; the whole transaction reverts unless the path returns the input, the loan fee
/// and `minProfit`. The profit (in the path's token) goes to the owner; nothing stays in the contract.
contract FlashArb {
    uint8 internal constant KIND_V2 = 2;
    uint8 internal constant KIND_V3 = 3;
    uint160 internal constant MIN_SQRT_RATIO_PLUS_ONE = 4295128740;
    uint160 internal constant MAX_SQRT_RATIO_MINUS_ONE = 1461446703485210103287273052203988822378723970341;

    struct Hop {
        uint8 kind; // 2 = Uniswap V2 pair, 3 = Uniswap V3 pool
        address pool;
        address tokenIn;
        address tokenOut;
        uint16 feeBps; // V2 pair fee (30 for Uniswap); unused for V3
    }

    struct Plan {
        address token; // borrowed / spent and returned
        uint256 amountIn;
        uint256 minProfit;
        Hop[] hops;
    }

    address public immutable owner;
    address public immutable aavePool;

    uint256 private _lock = 1;
    /// The only address whose callback is accepted right now (zero outside a call).
    address private _caller;
    uint256 private _profit;

    error NotOwner();
    error Reentrant();
    error UnexpectedCallback(address from);
    error BadPath();
    error TokenCallFailed(address token);
    error PartialFill(address pool, uint256 paid, uint256 amountIn);
    error ProfitTooLow(uint256 amountOut, uint256 owed, uint256 minProfit);

    event Arbitrage(address indexed token, uint256 amountIn, uint256 profit, uint8 source);

    constructor(address owner_, address aavePool_) {
        owner = owner_;
        aavePool = aavePool_;
    }

    modifier guarded() {
        if (_lock != 1) revert Reentrant();
        _lock = 2;
        if (msg.sender != owner) revert NotOwner();
        _;
        _lock = 1;
        _caller = address(0);
    }

    /// Own capital: pulls `amountIn` from the owner (allowance), runs the path, pays the owner back with the profit.
    function runWithCapital(Plan calldata p) external guarded returns (uint256 profit) {
        _checkPath(p);
        _pay(p.token, owner, address(this), p.amountIn);
        uint256 out = _swapAll(p.hops, p.amountIn);
        profit = _settle(out, p.amountIn, p.minProfit);
        _send(p.token, owner, out);
        emit Arbitrage(p.token, p.amountIn, profit, 0);
    }

    /// Aave V3 flashLoanSimple of `amountIn` of `token`; the premium is repaid from the path's output.
    function runWithAaveFlash(Plan calldata p) external guarded returns (uint256 profit) {
        _checkPath(p);
        _caller = aavePool;
        IArbAavePool(aavePool).flashLoanSimple(address(this), p.token, p.amountIn, abi.encode(p), 0);
        profit = _profit;
        _profit = 0;
        _send(p.token, owner, profit);
        emit Arbitrage(p.token, p.amountIn, profit, 1);
    }

    /// Uniswap V3 flash of `amountIn` of `token` from `flashPool` (not a pool of the path: it is locked).
    function runWithV3Flash(Plan calldata p, address flashPool) external guarded returns (uint256 profit) {
        _checkPath(p);
        bool isToken0 = IArbV3Pool(flashPool).token0() == p.token;
        if (!isToken0 && IArbV3Pool(flashPool).token1() != p.token) revert BadPath();
        _caller = flashPool;
        IArbV3Pool(flashPool).flash(
            address(this),
            isToken0 ? p.amountIn : 0,
            isToken0 ? 0 : p.amountIn,
            abi.encode(p)
        );
        profit = _profit;
        _profit = 0;
        _send(p.token, owner, profit);
        emit Arbitrage(p.token, p.amountIn, profit, 2);
    }

    /// Sends any balance of `token` held by the contract to the owner (nothing stays here after a run).
    function sweep(address token) external guarded {
        _send(token, owner, IArbERC20(token).balanceOf(address(this)));
    }

    /// Aave V3 IFlashLoanSimpleReceiver.
    function executeOperation(
        address asset,
        uint256 amount,
        uint256 premium,
        address initiator,
        bytes calldata params
    ) external returns (bool) {
        if (msg.sender != aavePool || _caller != aavePool || initiator != address(this))
            revert UnexpectedCallback(msg.sender);
        Plan memory p = abi.decode(params, (Plan));
        if (asset != p.token || amount != p.amountIn) revert BadPath();
        uint256 out = _swapAll(p.hops, amount);
        _caller = aavePool;
        _profit = _settle(out, amount + premium, p.minProfit);
        _call(asset, abi.encodeWithSelector(IArbERC20.approve.selector, aavePool, amount + premium));
        return true;
    }

    /// Uniswap V3 IUniswapV3FlashCallback.
    function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes calldata data) external {
        address pool = _caller;
        if (msg.sender != pool || pool == address(0) || pool == aavePool) revert UnexpectedCallback(msg.sender);
        Plan memory p = abi.decode(data, (Plan));
        uint256 owed = p.amountIn + fee0 + fee1;
        uint256 out = _swapAll(p.hops, p.amountIn);
        _profit = _settle(out, owed, p.minProfit);
        _send(p.token, pool, owed);
    }

    /// Uniswap V3 IUniswapV3SwapCallback: pays the pool being swapped on, nobody else.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external {
        if (msg.sender != _caller || msg.sender == address(0)) revert UnexpectedCallback(msg.sender);
        address tokenIn = abi.decode(data, (address));
        uint256 owed = uint256(amount0Delta > 0 ? amount0Delta : amount1Delta);
        _send(tokenIn, msg.sender, owed);
    }

    function _checkPath(Plan calldata p) private pure {
        uint256 n = p.hops.length;
        if (n == 0 || p.hops[0].tokenIn != p.token || p.hops[n - 1].tokenOut != p.token) revert BadPath();
        for (uint256 i = 1; i < n; i++) if (p.hops[i].tokenIn != p.hops[i - 1].tokenOut) revert BadPath();
    }

    function _settle(uint256 out, uint256 owed, uint256 minProfit) private pure returns (uint256) {
        if (out < owed + minProfit) revert ProfitTooLow(out, owed, minProfit);
        return out - owed;
    }

    function _pay(address token, address from, address to, uint256 amount) private {
        _call(token, abi.encodeWithSelector(IArbERC20.transferFrom.selector, from, to, amount));
    }

    function _send(address token, address to, uint256 amount) private {
        _call(token, abi.encodeWithSelector(IArbERC20.transfer.selector, to, amount));
    }

    /// A token call that tolerates tokens returning nothing (USDT) and fails on `false` or a revert.
    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length > 0 && !abi.decode(ret, (bool)))) revert TokenCallFailed(token);
    }

    function _swapAll(Hop[] memory hops, uint256 amountIn) private returns (uint256 amount) {
        address saved = _caller;
        amount = amountIn;
        for (uint256 i = 0; i < hops.length; i++) {
            Hop memory h = hops[i];
            if (h.kind == KIND_V2) amount = _swapV2(h, amount);
            else if (h.kind == KIND_V3) amount = _swapV3(h, amount);
            else revert BadPath();
        }
        _caller = saved;
    }

    function _swapV2(Hop memory h, uint256 amountIn) private returns (uint256 out) {
        IArbV2Pair pair = IArbV2Pair(h.pool);
        (uint112 r0, uint112 r1, ) = pair.getReserves();
        bool zeroForOne = pair.token0() == h.tokenIn;
        (uint256 rIn, uint256 rOut) = zeroForOne ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        uint256 inWithFee = amountIn * (10_000 - h.feeBps);
        out = (inWithFee * rOut) / (rIn * 10_000 + inWithFee);
        _caller = address(0);
        _send(h.tokenIn, h.pool, amountIn);
        pair.swap(zeroForOne ? 0 : out, zeroForOne ? out : 0, address(this), "");
    }

    function _swapV3(Hop memory h, uint256 amountIn) private returns (uint256 out) {
        bool zeroForOne = h.tokenIn < h.tokenOut;
        _caller = h.pool;
        (int256 a0, int256 a1) = IArbV3Pool(h.pool).swap(
            address(this),
            zeroForOne,
            int256(amountIn),
            zeroForOne ? MIN_SQRT_RATIO_PLUS_ONE : MAX_SQRT_RATIO_MINUS_ONE,
            abi.encode(h.tokenIn)
        );
        _caller = address(0);
        uint256 paid = uint256(zeroForOne ? a0 : a1);
        if (paid != amountIn) revert PartialFill(h.pool, paid, amountIn);
        out = uint256(-(zeroForOne ? a1 : a0));
    }
}
