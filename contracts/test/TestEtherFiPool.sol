// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestRebasingPool} from "./TestRebasingPool.sol";

/// @title TestEtherFiPool
/// @notice ether.fi's LiquidityPool + eETH + WithdrawRequestNFT interfaces in one devnet contract: `deposit()` mints
/// eETH, `amountForShare` / `sharesForAmount` convert, `requestWithdraw(recipient, amount)` queues an exit and
/// `claimWithdraw(id)` pays it once `isFinalized(id)`.
contract TestEtherFiPool is TestRebasingPool {
    constructor() TestRebasingPool("ether.fi ETH (devnet)", "eETH") {}

    function deposit() external payable returns (uint256) {
        return _stake(msg.sender, msg.value);
    }

    function amountForShare(uint256 shares) external view returns (uint256) {
        return getPooledEthByShares(shares);
    }

    function sharesForAmount(uint256 amount) external view returns (uint256) {
        return getSharesByPooledEth(amount);
    }

    function shares(address account) external view returns (uint256) {
        return sharesOf[account];
    }

    function requestWithdraw(address recipient, uint256 amount) external returns (uint256) {
        return _request(msg.sender, recipient, amount);
    }

    function isFinalized(uint256 id) external view returns (bool) {
        return id > 0 && id <= _requests.length && _requests[id - 1].finalized;
    }

    function claimWithdraw(uint256 id) external {
        _claim(id, msg.sender);
    }
}
