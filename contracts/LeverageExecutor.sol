// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

interface IERC20Min {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
}

interface IWETH9 is IERC20Min {
    function deposit() external payable;
    function withdraw(uint256 amount) external;
}

interface IMorphoFlashLoan {
    function flashLoan(address token, uint256 assets, bytes calldata data) external;
}

/// Aave V3 Pool (the functions used here have the same signature from v3.0 to v3.5).
interface IAaveV3Pool {
    struct ReserveConfigurationMap {
        uint256 data;
    }

    struct ReserveData {
        ReserveConfigurationMap configuration;
        uint128 liquidityIndex;
        uint128 currentLiquidityRate;
        uint128 variableBorrowIndex;
        uint128 currentVariableBorrowRate;
        uint128 currentStableBorrowRate;
        uint40 lastUpdateTimestamp;
        uint16 id;
        address aTokenAddress;
        address stableDebtTokenAddress;
        address variableDebtTokenAddress;
        address interestRateStrategyAddress;
        uint128 accruedToTreasury;
        uint128 unbacked;
        uint128 isolationModeTotalDebt;
    }

    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
    function borrow(address asset, uint256 amount, uint256 rateMode, uint16 referralCode, address onBehalfOf) external;
    function repay(address asset, uint256 amount, uint256 rateMode, address onBehalfOf) external returns (uint256);
    function withdraw(address asset, uint256 amount, address to) external returns (uint256);
    function getReserveData(address asset) external view returns (ReserveData memory);
}

interface ILidoSubmit {
    function submit(address referral) external payable returns (uint256);
}

interface IEtherFiDeposit {
    function deposit() external payable returns (uint256);
}

interface IWrappedLst {
    function wrap(uint256 amount) external returns (uint256);
}

/// Uniswap V3 SwapRouter (periphery v1, with deadline).
interface ISwapRouterV1 {
    struct ExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 deadline;
        uint256 amountIn;
        uint256 amountOutMinimum;
        uint160 sqrtPriceLimitX96;
    }

    function exactInputSingle(ExactInputSingleParams calldata params) external payable returns (uint256);
}

/// @title LeverageExecutor
/// @notice Opens and closes a leveraged liquid-staking position on Aave V3 in ONE transaction, owned by the
/// owner's own account:
///   open:  flash-borrow WETH from Morpho Blue -> unwrap -> stake all ETH (equity sent with the call + the loan)
///          -> wrap into the LST -> supply the LST to Aave on the owner's behalf -> borrow WETH on the owner's
///          behalf (credit delegation) -> repay the flash loan; leftovers go back to the owner.
///   close: flash-borrow WETH -> repay the owner's WETH debt -> pull the owner's aLST -> withdraw the LST -> sell it
///          for WETH on Uniswap V3 (minimum out = the caller's slippage limit) -> repay the flash loan; the rest is
///          returned to the owner as ETH.
/// Any failing step reverts the whole transaction. Only the owner can call; the Morpho callback is accepted only
/// from Morpho during a call the owner started. The owner must, once: enter the Aave e-mode category
/// (Pool.setUserEMode), approve credit delegation of the WETH variable debt token to this contract and, to close,
/// approve this contract for the LST's aToken.
contract LeverageExecutor {
    uint8 private constant OP_OPEN = 1;
    uint8 private constant OP_CLOSE = 2;
    uint256 private constant VARIABLE_RATE = 2;

    address public immutable owner;
    IMorphoFlashLoan public immutable morpho;
    IAaveV3Pool public immutable pool;
    IWETH9 public immutable weth;
    bool private _inFlash;

    struct OpenParams {
        address lst; // wrapped LST supplied as collateral (weETH / wstETH)
        address stakingPool; // mints the rebasing token from ETH: Lido stETH (submit) / ether.fi LiquidityPool (deposit)
        address rebasingToken; // the token the LST wraps (stETH / eETH)
        uint8 stakeKind; // 0 = Lido submit(address), 1 = ether.fi deposit()
        uint256 flashAmount; // WETH flash-borrowed from Morpho
        uint256 borrowAmount; // WETH borrowed from Aave on the owner's behalf; must cover flashAmount
        uint256 minCollateral; // least LST supplied (guards the staking rate)
    }

    struct CloseParams {
        address lst; // collateral LST to withdraw and sell
        uint256 repayAmount; // WETH debt to repay; type(uint256).max = all of it (read in the transaction)
        uint256 withdrawAmount; // LST collateral to withdraw; type(uint256).max = all of it
        address router; // Uniswap V3 SwapRouter
        uint24 fee; // LST/WETH pool fee tier, hundredths of a bip
        uint256 minWethOut; // least WETH the LST sale must return (slippage limit)
    }

    event Opened(address indexed lst, uint256 equity, uint256 flashAmount, uint256 collateral, uint256 borrowed);
    event Closed(address indexed lst, uint256 repaid, uint256 withdrawn, uint256 wethOut);

    error NotOwner();
    error UnexpectedCallback();

    constructor(address owner_, address morpho_, address pool_, address weth_) {
        owner = owner_;
        morpho = IMorphoFlashLoan(morpho_);
        pool = IAaveV3Pool(pool_);
        weth = IWETH9(weth_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Opens (or adds to) the position; msg.value is the owner's equity in ETH.
    function open(OpenParams calldata p) external payable onlyOwner {
        require(p.flashAmount > 0, "executor: zero flash amount");
        require(p.borrowAmount >= p.flashAmount, "executor: borrow does not cover flash loan");
        _flash(p.flashAmount, abi.encode(OP_OPEN, abi.encode(p)));
        _returnLeftovers(p.lst);
    }

    /// @notice Closes (part of) the position and returns the proceeds to the owner as ETH.
    function close(CloseParams calldata p) external onlyOwner {
        uint256 repay = p.repayAmount;
        if (repay == type(uint256).max) {
            repay = IERC20Min(pool.getReserveData(address(weth)).variableDebtTokenAddress).balanceOf(owner);
        }
        require(repay > 0, "executor: no debt to repay");
        CloseParams memory q = p;
        q.repayAmount = repay;
        _flash(repay, abi.encode(OP_CLOSE, abi.encode(q)));
        _returnLeftovers(p.lst);
    }

    /// @notice Morpho Blue flash-loan callback.
    function onMorphoFlashLoan(uint256 assets, bytes calldata data) external {
        if (msg.sender != address(morpho) || !_inFlash) revert UnexpectedCallback();
        (uint8 op, bytes memory inner) = abi.decode(data, (uint8, bytes));
        if (op == OP_OPEN) _open(assets, abi.decode(inner, (OpenParams)));
        else _close(assets, abi.decode(inner, (CloseParams)));
        require(weth.balanceOf(address(this)) >= assets, "executor: cannot repay flash loan");
        _approve(address(weth), address(morpho), assets);
    }

    /// @notice Owner: sends a token (or ETH with token = 0) stuck here to the owner.
    function rescue(address token) external onlyOwner {
        if (token == address(0)) _sendEth(address(this).balance);
        else IERC20Min(token).transfer(owner, IERC20Min(token).balanceOf(address(this)));
    }

    receive() external payable {}

    // ---- internals ---------------------------------------------------------------------------------------------

    function _flash(uint256 amount, bytes memory data) private {
        _inFlash = true;
        morpho.flashLoan(address(weth), amount, data);
        _inFlash = false;
    }

    function _open(uint256 assets, OpenParams memory p) private {
        weth.withdraw(assets);
        uint256 eth = address(this).balance;
        if (p.stakeKind == 0) ILidoSubmit(p.stakingPool).submit{value: eth}(address(0));
        else if (p.stakeKind == 1) IEtherFiDeposit(p.stakingPool).deposit{value: eth}();
        else revert("executor: unknown stake kind");
        uint256 minted = IERC20Min(p.rebasingToken).balanceOf(address(this));
        _approve(p.rebasingToken, p.lst, minted);
        IWrappedLst(p.lst).wrap(minted);
        uint256 collateral = IERC20Min(p.lst).balanceOf(address(this));
        require(collateral >= p.minCollateral, "executor: collateral below minimum");
        _approve(p.lst, address(pool), collateral);
        pool.supply(p.lst, collateral, owner, 0);
        pool.borrow(address(weth), p.borrowAmount, VARIABLE_RATE, 0, owner);
        emit Opened(p.lst, eth - assets, assets, collateral, p.borrowAmount);
    }

    function _close(uint256, CloseParams memory p) private {
        _approve(address(weth), address(pool), p.repayAmount);
        pool.repay(address(weth), p.repayAmount, VARIABLE_RATE, owner);
        IERC20Min aToken = IERC20Min(pool.getReserveData(p.lst).aTokenAddress);
        uint256 amount = p.withdrawAmount == type(uint256).max ? aToken.balanceOf(owner) : p.withdrawAmount;
        require(amount > 0, "executor: no collateral to withdraw");
        aToken.transferFrom(owner, address(this), amount);
        uint256 withdrawn = pool.withdraw(p.lst, type(uint256).max, address(this));
        _approve(p.lst, p.router, withdrawn);
        uint256 out = ISwapRouterV1(p.router).exactInputSingle(
            ISwapRouterV1.ExactInputSingleParams({
                tokenIn: p.lst,
                tokenOut: address(weth),
                fee: p.fee,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: withdrawn,
                amountOutMinimum: p.minWethOut,
                sqrtPriceLimitX96: 0
            })
        );
        emit Closed(p.lst, p.repayAmount, withdrawn, out);
    }

    /// Sends every WETH (as ETH), ETH and LST left in this contract to the owner.
    function _returnLeftovers(address lst) private {
        uint256 w = weth.balanceOf(address(this));
        if (w > 0) weth.withdraw(w);
        uint256 l = IERC20Min(lst).balanceOf(address(this));
        if (l > 0) IERC20Min(lst).transfer(owner, l);
        if (address(this).balance > 0) _sendEth(address(this).balance);
    }

    function _sendEth(uint256 amount) private {
        (bool ok, ) = owner.call{value: amount}("");
        require(ok, "executor: ETH transfer failed");
    }

    function _approve(address token, address spender, uint256 amount) private {
        require(IERC20Min(token).approve(spender, amount), "executor: approve failed");
    }
}
