// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @title TestRebasingPool
/// @notice A liquid-staking pool and its rebasing token in one contract (the stETH / eETH role): ETH in, shares
/// minted at the pool's exchange rate, balances = shares x rate. The admin steps the rate like an oracle report
/// (`report`), and a simple withdrawal queue turns tokens back into ETH once the admin finalises a request.
/// Protocol-specific entry points (Lido `submit`, ether.fi `deposit`) live in the subcontracts.
abstract contract TestRebasingPool {
    uint256 internal constant WAD = 1e18;

    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    address public immutable admin;
    /// ETH per share, 18 decimals; starts at 1.
    uint256 public ethPerShare = WAD;
    uint256 public totalShares;
    mapping(address => uint256) public sharesOf;
    mapping(address => mapping(address => uint256)) public allowance;

    struct Request {
        address owner;
        uint128 amountOfEth;
        uint128 shares;
        uint64 timestamp;
        bool finalized;
        bool claimed;
    }

    Request[] internal _requests;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Report(uint256 ethPerShare, uint256 totalPooledEther);
    event WithdrawalRequested(uint256 indexed requestId, address indexed owner, uint256 amountOfEth);
    event WithdrawalClaimed(uint256 indexed requestId, address indexed owner, uint256 amountOfEth);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        admin = msg.sender;
    }

    modifier onlyAdmin() {
        require(msg.sender == admin, "pool: not admin");
        _;
    }

    // ---- exchange rate ---------------------------------------------------------------------------------------

    function getPooledEthByShares(uint256 shares) public view returns (uint256) {
        return (shares * ethPerShare) / WAD;
    }

    function getSharesByPooledEth(uint256 eth) public view returns (uint256) {
        return (eth * WAD) / ethPerShare;
    }

    function getTotalPooledEther() public view returns (uint256) {
        return getPooledEthByShares(totalShares);
    }

    /// @notice Oracle report: sets the ETH value of one share. Rewards above the ETH held come with msg.value.
    function report(uint256 newEthPerShare) external payable onlyAdmin {
        require(newEthPerShare > 0, "pool: zero rate");
        ethPerShare = newEthPerShare;
        emit Report(newEthPerShare, getTotalPooledEther());
    }

    // ---- ERC-20 over shares --------------------------------------------------------------------------------

    function totalSupply() external view returns (uint256) {
        return getTotalPooledEther();
    }

    function balanceOf(address account) public view returns (uint256) {
        return getPooledEthByShares(sharesOf[account]);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transferShares(msg.sender, to, getSharesByPooledEth(amount));
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        _spendAllowance(from, msg.sender, amount);
        _transferShares(from, to, getSharesByPooledEth(amount));
        emit Transfer(from, to, amount);
        return true;
    }

    /// @notice Moves shares (the wrapper uses this so wrapping is exact in shares).
    function transferSharesFrom(address from, address to, uint256 shares) external returns (uint256) {
        uint256 amount = getPooledEthByShares(shares);
        _spendAllowance(from, msg.sender, amount);
        _transferShares(from, to, shares);
        emit Transfer(from, to, amount);
        return amount;
    }

    function transferShares(address to, uint256 shares) external returns (uint256) {
        _transferShares(msg.sender, to, shares);
        uint256 amount = getPooledEthByShares(shares);
        emit Transfer(msg.sender, to, amount);
        return amount;
    }

    // ---- staking and the withdrawal queue ------------------------------------------------------------------

    function _stake(address to, uint256 eth) internal returns (uint256 shares) {
        require(eth > 0, "pool: zero deposit");
        shares = getSharesByPooledEth(eth);
        totalShares += shares;
        sharesOf[to] += shares;
        emit Transfer(address(0), to, eth);
    }

    function _request(address from, address owner, uint256 amount) internal returns (uint256 id) {
        require(amount > 0, "pool: zero withdrawal");
        uint256 shares = getSharesByPooledEth(amount);
        require(sharesOf[from] >= shares, "pool: withdrawal exceeds balance");
        sharesOf[from] -= shares;
        totalShares -= shares;
        id = _requests.length + 1;
        _requests.push(Request(owner, uint128(amount), uint128(shares), uint64(block.timestamp), false, false));
        emit Transfer(from, address(0), amount);
        emit WithdrawalRequested(id, owner, amount);
    }

    /// @notice Admin: finalises every request up to `lastId` (the queue's oracle step).
    function finalize(uint256 lastId) external payable onlyAdmin {
        require(lastId <= _requests.length, "pool: unknown request");
        for (uint256 i = 0; i < lastId; i++) _requests[i].finalized = true;
    }

    function _claim(uint256 id, address caller) internal returns (uint256 amount) {
        require(id > 0 && id <= _requests.length, "pool: unknown request");
        Request storage r = _requests[id - 1];
        require(r.owner == caller, "pool: not the request owner");
        require(r.finalized, "pool: request not finalized");
        require(!r.claimed, "pool: request already claimed");
        r.claimed = true;
        amount = r.amountOfEth;
        (bool ok, ) = caller.call{value: amount}("");
        require(ok, "pool: ETH transfer failed");
        emit WithdrawalClaimed(id, caller, amount);
    }

    function _transferShares(address from, address to, uint256 shares) internal {
        require(to != address(0), "pool: transfer to zero address");
        require(sharesOf[from] >= shares, "pool: transfer amount exceeds balance");
        sharesOf[from] -= shares;
        sharesOf[to] += shares;
    }

    function _spendAllowance(address owner, address spender, uint256 amount) internal {
        if (owner == spender) return;
        uint256 allowed = allowance[owner][spender];
        if (allowed == type(uint256).max) return;
        require(allowed >= amount, "pool: insufficient allowance");
        allowance[owner][spender] = allowed - amount;
    }

    receive() external payable {}
}
