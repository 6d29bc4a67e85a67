/**
 * Tokens and price feeds of the devnet: WETH9 (bytecode from @aave/core-v3), a 6-decimal USDT, the Lido-style
 * stETH/wstETH pair and the ether.fi-style eETH/weETH pair at their starting rates, and the Chainlink-style
 * feeds AaveOracle reads (ETH/USD and USDT/USD set by the admin; the LST feeds = ETH/USD × the token's rate).
 */
import { parseUnits, toFunctionSelector, type Address } from 'viem';
import { builtContract, packageAbi, packageContract } from '../artifacts.js';
import { START } from './params.js';
import type { DeploySession } from './session.js';

export interface TokenAddresses {
  WETH: Address;
  USDT: Address;
  stETH: Address;
  wstETH: Address;
  eETH: Address;
  weETH: Address;
}

export interface FeedAddresses {
  ETH: Address;
  USDT: Address;
  wstETH: Address;
  weETH: Address;
}

export async function deployTokens(
  s: DeploySession,
): Promise<{ tokens: TokenAddresses; feeds: FeedAddresses }> {
  const WETH = await s.deploy('WETH9', packageContract('WETH9'));
  const USDT = await s.deploy('USDT', builtContract('TestERC20'), ['Tether USD (devnet)', 'USDT', 6]);
  const stETH = await s.deploy('stETH', builtContract('TestStETH'));
  const wstETH = await s.deploy('wstETH', builtContract('TestWstETH'), [stETH]);
  const eETH = await s.deploy('eETH', builtContract('TestEtherFiPool'));
  const weETH = await s.deploy('weETH', builtContract('TestWeETH'), [eETH]);
  const pool = builtContract('TestStETH').abi;
  await s.write(stETH, pool, 'report', [parseUnits(String(START.wstEthRate), 18)]);
  await s.write(eETH, pool, 'report', [parseUnits(String(START.weEthRate), 18)]);

  const feed = builtContract('MockPriceFeed');
  const ETH = await s.deploy('ETH/USD feed', feed, [parseUnits(String(START.ethUsd), 8)]);
  const USDTFeed = await s.deploy('USDT/USD feed', feed, [parseUnits(String(START.usdtUsd), 8)]);
  const lstFeed = builtContract('LstPriceFeed');
  const wstFeed = await s.deploy('wstETH/USD feed', lstFeed, [
    ETH,
    wstETH,
    toFunctionSelector('stEthPerToken()'),
  ]);
  const weFeed = await s.deploy('weETH/USD feed', lstFeed, [ETH, weETH, toFunctionSelector('getRate()')]);
  return {
    tokens: { WETH, USDT, stETH, wstETH, eETH, weETH },
    feeds: { ETH, USDT: USDTFeed, wstETH: wstFeed, weETH: weFeed },
  };
}

/**
 * Gives `to` ETH-backed tokens through the protocols themselves: WETH by deposit, wstETH / weETH by staking
 * and wrapping, USDT by the admin's mint. Amounts in token units (wrapped LST amounts are approximate: the
 * ETH staked is amount × rate). The account must hold the ETH.
 */
export async function mintTokens(
  s: DeploySession,
  tokens: TokenAddresses,
  to: Address,
  amounts: Partial<Record<'WETH' | 'USDT' | 'wstETH' | 'weETH', number>>,
): Promise<void> {
  if (amounts.WETH) {
    await s.write(tokens.WETH, packageAbi('WETH9'), 'deposit', [], {
      from: to,
      value: parseUnits(String(amounts.WETH), 18),
    });
  }
  if (amounts.USDT) {
    await s.write(tokens.USDT, builtContract('TestERC20').abi, 'mint', [
      to,
      parseUnits(String(amounts.USDT), 6),
    ]);
  }
  const wrapped = [
    ['wstETH', tokens.stETH, tokens.wstETH, 'submit', START.wstEthRate] as const,
    ['weETH', tokens.eETH, tokens.weETH, 'deposit', START.weEthRate] as const,
  ];
  for (const [sym, pool, wrapper, fn, rate] of wrapped) {
    const amount = amounts[sym];
    if (!amount) continue;
    const poolAbi = builtContract(sym === 'wstETH' ? 'TestStETH' : 'TestEtherFiPool').abi;
    const eth = parseUnits((amount * rate).toFixed(6), 18);
    await s.write(pool, poolAbi, fn, fn === 'submit' ? ['0x0000000000000000000000000000000000000000'] : [], {
      from: to,
      value: eth,
    });
    const balance = await s.read<bigint>(pool, poolAbi, 'balanceOf', [to]);
    await s.write(pool, poolAbi, 'approve', [wrapper, balance], { from: to });
    await s.write(
      wrapper,
      builtContract(sym === 'wstETH' ? 'TestWstETH' : 'TestWeETH').abi,
      'wrap',
      [balance],
      {
        from: to,
      },
    );
  }
}
