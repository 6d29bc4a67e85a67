/**
 * Liquid-staking ABIs. Lido: stETH (`submit`), wstETH (`wrap`, `unwrap`, `stEthPerToken`),
 * WithdrawalQueueERC721 (`requestWithdrawals`, `getWithdrawalStatus`, `claimWithdrawal`). ether.fi:
 * LiquidityPool (`deposit`, `requestWithdraw`), weETH (`wrap`, `unwrap`, `getRate`), WithdrawRequestNFT
 * (`isFinalized`, `claimWithdraw`). The devnet's test tokens implement the same functions.
 * @see https://docs.lido.fi/contracts/lido https://etherfi.gitbook.io/etherfi/
 */
import { parseAbi } from 'viem';

export const lidoAbi = parseAbi([
  'function submit(address referral) payable returns (uint256)',
  'function stEthPerToken() view returns (uint256)',
  'function wrap(uint256 stETHAmount) returns (uint256)',
  'function unwrap(uint256 wstETHAmount) returns (uint256)',
  'function requestWithdrawals(uint256[] amounts, address owner) returns (uint256[] requestIds)',
  'struct WithdrawalRequestStatus { uint256 amountOfStETH; uint256 amountOfShares; address owner; uint256 timestamp; bool isFinalized; bool isClaimed; }',
  'function getWithdrawalStatus(uint256[] requestIds) view returns (WithdrawalRequestStatus[] statuses)',
  'function claimWithdrawal(uint256 requestId)',
  'event WithdrawalRequested(uint256 indexed requestId, address indexed requestor, address indexed owner, uint256 amountOfStETH, uint256 amountOfShares)',
]);

export const etherfiAbi = parseAbi([
  'function deposit() payable returns (uint256)',
  'function getRate() view returns (uint256)',
  'function wrap(uint256 eETHAmount) returns (uint256)',
  'function unwrap(uint256 weETHAmount) returns (uint256)',
  'function requestWithdraw(address recipient, uint256 amount) returns (uint256)',
  'function isFinalized(uint256 requestId) view returns (bool)',
  'function claimWithdraw(uint256 tokenId)',
]);
