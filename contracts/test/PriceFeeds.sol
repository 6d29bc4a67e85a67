// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @title MockPriceFeed
/// @notice Chainlink-style aggregator (8 decimals) whose answer the admin sets; a source for AaveOracle.
contract MockPriceFeed {
    uint8 public constant decimals = 8;
    address public immutable admin;
    int256 public latestAnswer;
    uint256 public latestTimestamp;
    uint80 public latestRound;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(int256 answer) {
        admin = msg.sender;
        _set(answer);
    }

    function setAnswer(int256 answer) external {
        require(msg.sender == admin, "feed: not admin");
        _set(answer);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (latestRound, latestAnswer, latestTimestamp, latestTimestamp, latestRound);
    }

    function _set(int256 answer) internal {
        require(answer > 0, "feed: answer must be positive");
        latestAnswer = answer;
        latestTimestamp = block.timestamp;
        latestRound += 1;
        emit AnswerUpdated(answer, latestRound, block.timestamp);
    }
}

interface IAnswer {
    function latestAnswer() external view returns (int256);
}

/// @title LstPriceFeed
/// @notice USD price of a wrapped LST for AaveOracle: ETH/USD x the token's own exchange rate, read live through
/// `rateSelector` (stEthPerToken() or getRate()), like Aave's CAPO adapters without the growth cap.
contract LstPriceFeed {
    uint8 public constant decimals = 8;
    IAnswer public immutable ethUsd;
    address public immutable token;
    bytes4 public immutable rateSelector;

    constructor(address ethUsd_, address token_, bytes4 rateSelector_) {
        ethUsd = IAnswer(ethUsd_);
        token = token_;
        rateSelector = rateSelector_;
    }

    function rate() public view returns (uint256) {
        (bool ok, bytes memory out) = token.staticcall(abi.encodeWithSelector(rateSelector));
        require(ok && out.length == 32, "feed: rate call failed");
        return abi.decode(out, (uint256));
    }

    function latestAnswer() external view returns (int256) {
        return (ethUsd.latestAnswer() * int256(rate())) / 1e18;
    }
}
