// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice Devnet helpers of the DeFi layer (src/defi): a Multicall3-compatible `aggregate3` for batched reads,
/// a Uniswap V2 pair probe and a batched QuoterV2 caller, so thousands of swap checks run in a few `eth_call`s.

interface IProbePair {
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

interface IProbeToken {
    function transfer(address to, uint256 amount) external returns (bool);
}

interface IProbeQuoterV2 {
    struct QuoteExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint256 amountIn;
        uint24 fee;
        uint160 sqrtPriceLimitX96;
    }
    struct QuoteExactOutputSingleParams {
        address tokenIn;
        address tokenOut;
        uint256 amount;
        uint24 fee;
        uint160 sqrtPriceLimitX96;
    }

    function quoteExactInputSingle(
        QuoteExactInputSingleParams memory params
    ) external returns (uint256 amountOut, uint160 sqrtPriceX96After, uint32 ticksCrossed, uint256 gasEstimate);

    function quoteExactOutputSingle(
        QuoteExactOutputSingleParams memory params
    ) external returns (uint256 amountIn, uint160 sqrtPriceX96After, uint32 ticksCrossed, uint256 gasEstimate);
}

/// @notice The `aggregate3` entry point of Multicall3 (same ABI, so viem's multicall can use it).
contract Multicall {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }
    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory data) = calls[i].target.call(calls[i].callData);
            require(ok || calls[i].allowFailure, "Multicall3: call failed");
            results[i] = Result(ok, data);
        }
    }
}

/// @notice Asks a Uniswap V2 pair whether it pays `out` for `amountIn`: transfers the input from this contract's
/// balance and calls `swap`, then reverts so nothing stays changed. Checks are batched in one call.
contract V2SwapProbe {
    error Accepted();

    struct Check {
        address pair;
        address tokenIn;
        uint256 amountIn;
        uint256 amount0Out;
        uint256 amount1Out;
    }

    function attempt(Check calldata c) external {
        require(msg.sender == address(this), "V2SwapProbe: internal");
        require(IProbeToken(c.tokenIn).transfer(c.pair, c.amountIn), "V2SwapProbe: transfer");
        IProbePair(c.pair).swap(c.amount0Out, c.amount1Out, address(this), "");
        revert Accepted();
    }

    /// @return accepted whether the pair accepted each swap
    function check(Check[] calldata checks) external returns (bool[] memory accepted) {
        accepted = new bool[](checks.length);
        for (uint256 i = 0; i < checks.length; i++) {
            try this.attempt(checks[i]) {} catch (bytes memory reason) {
                accepted[i] = reason.length == 4 && bytes4(reason) == Accepted.selector;
            }
        }
    }
}

/// @notice Many QuoterV2 single-pool quotes in one call; a reverted quote is reported as ok = false.
contract V3QuoteBatch {
    struct Quote {
        address tokenIn;
        address tokenOut;
        uint256 amount;
        uint24 fee;
        uint160 sqrtPriceLimitX96;
        bool exactOut;
    }
    struct Answer {
        bool ok;
        uint256 amount;
        uint160 sqrtPriceX96After;
        uint32 ticksCrossed;
    }

    function quote(IProbeQuoterV2 quoter, Quote[] calldata qs) external returns (Answer[] memory out) {
        out = new Answer[](qs.length);
        for (uint256 i = 0; i < qs.length; i++) {
            Quote calldata q = qs[i];
            if (q.exactOut) {
                try
                    quoter.quoteExactOutputSingle(
                        IProbeQuoterV2.QuoteExactOutputSingleParams(
                            q.tokenIn,
                            q.tokenOut,
                            q.amount,
                            q.fee,
                            q.sqrtPriceLimitX96
                        )
                    )
                returns (uint256 amountIn, uint160 after_, uint32 crossed, uint256) {
                    out[i] = Answer(true, amountIn, after_, crossed);
                } catch {}
            } else {
                try
                    quoter.quoteExactInputSingle(
                        IProbeQuoterV2.QuoteExactInputSingleParams(
                            q.tokenIn,
                            q.tokenOut,
                            q.amount,
                            q.fee,
                            q.sqrtPriceLimitX96
                        )
                    )
                returns (uint256 amountOut, uint160 after_, uint32 crossed, uint256) {
                    out[i] = Answer(true, amountOut, after_, crossed);
                } catch {}
            }
        }
    }
}
