/**
 * A full Aave V3 market from the `@aave/core-v3` (v3.0.2) bytecode: PoolAddressesProvider, ACLManager, the
 * logic libraries linked into Pool and PoolConfigurator, AaveOracle on our feeds, AaveProtocolDataProvider, and
 * the USDT, WETH, wstETH and weETH reserves with the risk parameters and e-mode category of
 * `config/venues/aave_v3.yaml`. The LP account supplies the borrowable liquidity.
 * @see https://github.com/aave/aave-v3-core (deployment order of aave-v3-deploy)
 */
import { maxUint256, parseUnits, type Address } from 'viem';
import type { LendingVenueConfig } from '../../config/schema.js';
import { packageAbi, packageContract, type PackageContract } from '../artifacts.js';
import { BORROWABLE, LIQUIDITY, RATE_CURVES, RESERVE_FACTOR } from './params.js';
import type { DeploySession } from './session.js';
import type { FeedAddresses, TokenAddresses } from './tokens.js';

const ZERO = '0x0000000000000000000000000000000000000000' as const;
const RAY_DECIMALS = 27;

export interface AaveAddresses {
  poolAddressesProvider: Address;
  pool: Address;
  poolConfigurator: Address;
  oracle: Address;
  aclManager: Address;
  dataProvider: Address;
  /** Per reserve symbol: aToken and variable debt token. */
  reserves: Record<string, { asset: Address; aToken: Address; variableDebtToken: Address }>;
}

/** Decimal fraction → basis points (Aave's percentage unit). */
const bps = (x: number) => BigInt(Math.round(x * 10_000));
const ray = (x: number) => parseUnits(String(x), RAY_DECIMALS);

export async function deployAave(
  s: DeploySession,
  tokens: TokenAddresses,
  feeds: FeedAddresses,
  config: LendingVenueConfig,
): Promise<AaveAddresses> {
  const abi = (n: PackageContract) => packageAbi(n);
  const provider = await s.deploy('PoolAddressesProvider', packageContract('PoolAddressesProvider'), [
    'basis devnet',
    s.admin,
  ]);
  await s.write(provider, abi('PoolAddressesProvider'), 'setACLAdmin', [s.admin]);
  const acl = await s.deploy('ACLManager', packageContract('ACLManager'), [provider]);
  await s.write(provider, abi('PoolAddressesProvider'), 'setACLManager', [acl]);
  for (const role of ['addPoolAdmin', 'addRiskAdmin', 'addAssetListingAdmin', 'addEmergencyAdmin']) {
    await s.write(acl, abi('ACLManager'), role, [s.admin]);
  }

  const libs: Record<string, Address> = {};
  for (const lib of [
    'SupplyLogic',
    'BorrowLogic',
    'LiquidationLogic',
    'EModeLogic',
    'BridgeLogic',
    'PoolLogic',
  ] as const) {
    libs[lib] = await s.deploy(lib, packageContract(lib));
  }
  libs.FlashLoanLogic = await s.deploy('FlashLoanLogic', packageContract('FlashLoanLogic', libs));
  const poolImpl = await s.deploy('Pool', packageContract('Pool', libs), [provider]);
  await s.write(provider, abi('PoolAddressesProvider'), 'setPoolImpl', [poolImpl]);
  const pool = await s.read<Address>(provider, abi('PoolAddressesProvider'), 'getPool');

  libs.ConfiguratorLogic = await s.deploy('ConfiguratorLogic', packageContract('ConfiguratorLogic'));
  const confImpl = await s.deploy('PoolConfigurator', packageContract('PoolConfigurator', libs));
  await s.write(provider, abi('PoolAddressesProvider'), 'setPoolConfiguratorImpl', [confImpl]);
  const configurator = await s.read<Address>(provider, abi('PoolAddressesProvider'), 'getPoolConfigurator');

  const assets: Record<string, Address> = {
    USDT: tokens.USDT,
    WETH: tokens.WETH,
    wstETH: tokens.wstETH,
    weETH: tokens.weETH,
  };
  const sources: Record<string, Address> = {
    USDT: feeds.USDT,
    WETH: feeds.ETH,
    wstETH: feeds.wstETH,
    weETH: feeds.weETH,
  };
  const symbols = Object.keys(assets).filter((a) => a in config.reserves);
  const oracle = await s.deploy('AaveOracle', packageContract('AaveOracle'), [
    provider,
    symbols.map((a) => assets[a]),
    symbols.map((a) => sources[a]),
    ZERO,
    ZERO,
    100_000_000n,
  ]);
  await s.write(provider, abi('PoolAddressesProvider'), 'setPriceOracle', [oracle]);
  const dataProvider = await s.deploy(
    'AaveProtocolDataProvider',
    packageContract('AaveProtocolDataProvider'),
    [provider],
  );
  await s.write(provider, abi('PoolAddressesProvider'), 'setPoolDataProvider', [dataProvider]);

  const aTokenImpl = await s.deploy('AToken', packageContract('AToken'), [pool]);
  const stableImpl = await s.deploy('StableDebtToken', packageContract('StableDebtToken'), [pool]);
  const variableImpl = await s.deploy('VariableDebtToken', packageContract('VariableDebtToken'), [pool]);

  const inputs = [];
  for (const sym of symbols) {
    const c = RATE_CURVES[sym];
    const strategy = await s.deploy(
      `rate strategy ${sym}`,
      packageContract('DefaultReserveInterestRateStrategy'),
      [provider, ray(c.optimal), ray(c.base), ray(c.slope1), ray(c.slope2), 0n, 0n, 0n, 0n, 0n],
    );
    inputs.push({
      aTokenImpl,
      stableDebtTokenImpl: stableImpl,
      variableDebtTokenImpl: variableImpl,
      underlyingAssetDecimals: config.reserves[sym].decimals,
      interestRateStrategyAddress: strategy,
      underlyingAsset: assets[sym],
      treasury: s.admin,
      incentivesController: ZERO,
      aTokenName: `Aave devnet ${sym}`,
      aTokenSymbol: `a${sym}`,
      variableDebtTokenName: `Aave devnet variable debt ${sym}`,
      variableDebtTokenSymbol: `variableDebt${sym}`,
      stableDebtTokenName: `Aave devnet stable debt ${sym}`,
      stableDebtTokenSymbol: `stableDebt${sym}`,
      params: '0x',
    });
  }
  const conf = abi('PoolConfigurator');
  await s.write(configurator, conf, 'initReserves', [inputs]);
  for (const sym of symbols) {
    const r = config.reserves[sym];
    const asset = assets[sym];
    await s.write(configurator, conf, 'configureReserveAsCollateral', [
      asset,
      bps(r.ltv),
      bps(r.liquidation_threshold),
      10_000n + bps(r.liquidation_bonus),
    ]);
    if (BORROWABLE.has(sym)) await s.write(configurator, conf, 'setReserveBorrowing', [asset, true]);
    await s.write(configurator, conf, 'setReserveFactor', [asset, bps(RESERVE_FACTOR[sym] ?? 0.1)]);
    await s.write(configurator, conf, 'setLiquidationProtocolFee', [
      asset,
      bps(config.liquidation_protocol_fee),
    ]);
  }
  const em = config.emode;
  if (em) {
    await s.write(configurator, conf, 'setEModeCategory', [
      em.category_id,
      Number(bps(em.ltv)),
      Number(bps(em.liquidation_threshold)),
      Number(10_000n + bps(em.liquidation_bonus)),
      ZERO,
      em.label,
    ]);
    for (const sym of em.assets) {
      if (assets[sym])
        await s.write(configurator, conf, 'setAssetEModeCategory', [assets[sym], em.category_id]);
    }
  }

  const reserves: AaveAddresses['reserves'] = {};
  for (const sym of symbols) {
    const d = await s.read<{ aTokenAddress: Address; variableDebtTokenAddress: Address }>(
      pool,
      abi('Pool'),
      'getReserveData',
      [assets[sym]],
    );
    reserves[sym] = {
      asset: assets[sym],
      aToken: d.aTokenAddress,
      variableDebtToken: d.variableDebtTokenAddress,
    };
  }
  return {
    poolAddressesProvider: provider,
    pool,
    poolConfigurator: configurator,
    oracle,
    aclManager: acl,
    dataProvider,
    reserves,
  };
}

/** The LP supplies the borrowable liquidity (LIQUIDITY.aave) and borrows part of it back (utilisation). */
export async function seedAave(s: DeploySession, aave: AaveAddresses, tokens: TokenAddresses): Promise<void> {
  const erc20 = packageAbi('WETH9');
  const poolAbi = packageAbi('Pool');
  for (const [sym, amount] of Object.entries(LIQUIDITY.aave)) {
    const asset = sym === 'WETH' ? tokens.WETH : tokens.USDT;
    await s.write(asset, erc20, 'approve', [aave.pool, maxUint256], { from: s.lp });
    await s.write(
      aave.pool,
      poolAbi,
      'supply',
      [asset, parseUnits(String(amount), sym === 'USDT' ? 6 : 18), s.lp, 0],
      {
        from: s.lp,
      },
    );
  }
  for (const [sym, amount] of Object.entries(LIQUIDITY.aaveBorrows)) {
    const asset = sym === 'WETH' ? tokens.WETH : tokens.USDT;
    await s.write(
      aave.pool,
      poolAbi,
      'borrow',
      [asset, parseUnits(String(amount), sym === 'USDT' ? 6 : 18), 2n, 0, s.lp],
      {
        from: s.lp,
      },
    );
  }
}
