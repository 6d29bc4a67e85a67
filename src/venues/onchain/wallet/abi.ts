/** WETH9 (deposit / withdraw) on top of ERC-20. */
import { parseAbi } from 'viem';

export const wethAbi = parseAbi(['function deposit() payable', 'function withdraw(uint256 wad)']);
