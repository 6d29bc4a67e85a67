/** ABI of contracts/LeverageExecutor.sol (human-readable, typed by viem). */
import { parseAbi } from 'viem';

export const leverageExecutorAbi = parseAbi([
  'struct OpenParams { address lst; address stakingPool; address rebasingToken; uint8 stakeKind; uint256 flashAmount; uint256 borrowAmount; uint256 minCollateral; }',
  'struct CloseParams { address lst; uint256 repayAmount; uint256 withdrawAmount; address router; uint24 fee; uint256 minWethOut; }',
  'function open(OpenParams p) payable',
  'function close(CloseParams p)',
  'function owner() view returns (address)',
  'function morpho() view returns (address)',
  'function pool() view returns (address)',
  'function weth() view returns (address)',
  'function rescue(address token)',
  'event Opened(address indexed lst, uint256 equity, uint256 flashAmount, uint256 collateral, uint256 borrowed)',
  'event Closed(address indexed lst, uint256 repaid, uint256 withdrawn, uint256 wethOut)',
  'error NotOwner()',
  'error UnexpectedCallback()',
]);

/** OpenParams.stakeKind */
export const STAKE_KIND = { lido: 0, etherfi: 1 } as const;
