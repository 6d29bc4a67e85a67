// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestRebasingPool} from "./TestRebasingPool.sol";

/// @title TestStETH
/// @notice Lido's stETH interface on the devnet: `submit(referral)` stakes ETH, balances rebase at oracle reports,
/// and the WithdrawalQueueERC721 entry points (`requestWithdrawals`, `getWithdrawalStatus`, `claimWithdrawal`)
/// live on the same contract.
contract TestStETH is TestRebasingPool {
    struct WithdrawalRequestStatus {
        uint256 amountOfStETH;
        uint256 amountOfShares;
        address owner;
        uint256 timestamp;
        bool isFinalized;
        bool isClaimed;
    }

    constructor() TestRebasingPool("Liquid staked Ether 2.0 (devnet)", "stETH") {}

    function submit(address) external payable returns (uint256) {
        return _stake(msg.sender, msg.value);
    }

    function requestWithdrawals(uint256[] calldata amounts, address owner) external returns (uint256[] memory ids) {
        ids = new uint256[](amounts.length);
        address to = owner == address(0) ? msg.sender : owner;
        for (uint256 i = 0; i < amounts.length; i++) ids[i] = _request(msg.sender, to, amounts[i]);
    }

    function getWithdrawalStatus(uint256[] calldata ids) external view returns (WithdrawalRequestStatus[] memory s) {
        s = new WithdrawalRequestStatus[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) {
            Request storage r = _requests[ids[i] - 1];
            s[i] = WithdrawalRequestStatus(r.amountOfEth, r.shares, r.owner, r.timestamp, r.finalized, r.claimed);
        }
    }

    function claimWithdrawal(uint256 id) external {
        _claim(id, msg.sender);
    }
}
