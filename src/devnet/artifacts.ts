/**
 * Protocol bytecode shipped in npm packages (hardhat artifacts of `@aave/core-v3`, `@uniswap/v3-core`,
 * `@uniswap/v3-periphery`), with library linking, and our solc-js build (./compile.ts) under one lookup.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Abi, Address, Hex } from 'viem';
import { compileContracts, type CompiledContract } from './compile.js';

const require = createRequire(import.meta.url);

interface HardhatArtifact {
  contractName: string;
  abi: Abi;
  bytecode: Hex;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
}

/** Artifact paths inside their packages, by the name the deployment uses. */
const PACKAGE_ARTIFACTS = {
  WETH9: '@aave/core-v3/artifacts/contracts/dependencies/weth/WETH9.sol/WETH9.json',
  PoolAddressesProvider:
    '@aave/core-v3/artifacts/contracts/protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json',
  ACLManager: '@aave/core-v3/artifacts/contracts/protocol/configuration/ACLManager.sol/ACLManager.json',
  Pool: '@aave/core-v3/artifacts/contracts/protocol/pool/Pool.sol/Pool.json',
  PoolConfigurator:
    '@aave/core-v3/artifacts/contracts/protocol/pool/PoolConfigurator.sol/PoolConfigurator.json',
  DefaultReserveInterestRateStrategy:
    '@aave/core-v3/artifacts/contracts/protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json',
  AaveOracle: '@aave/core-v3/artifacts/contracts/misc/AaveOracle.sol/AaveOracle.json',
  AaveProtocolDataProvider:
    '@aave/core-v3/artifacts/contracts/misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json',
  AToken: '@aave/core-v3/artifacts/contracts/protocol/tokenization/AToken.sol/AToken.json',
  VariableDebtToken:
    '@aave/core-v3/artifacts/contracts/protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json',
  StableDebtToken:
    '@aave/core-v3/artifacts/contracts/protocol/tokenization/StableDebtToken.sol/StableDebtToken.json',
  SupplyLogic: '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/SupplyLogic.sol/SupplyLogic.json',
  BorrowLogic: '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/BorrowLogic.sol/BorrowLogic.json',
  LiquidationLogic:
    '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/LiquidationLogic.sol/LiquidationLogic.json',
  EModeLogic: '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/EModeLogic.sol/EModeLogic.json',
  BridgeLogic: '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/BridgeLogic.sol/BridgeLogic.json',
  FlashLoanLogic:
    '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/FlashLoanLogic.sol/FlashLoanLogic.json',
  PoolLogic: '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/PoolLogic.sol/PoolLogic.json',
  ConfiguratorLogic:
    '@aave/core-v3/artifacts/contracts/protocol/libraries/logic/ConfiguratorLogic.sol/ConfiguratorLogic.json',
  UniswapV3Factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
  UniswapV3Pool: '@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json',
  SwapRouter: '@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json',
  QuoterV2: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
  NonfungiblePositionManager:
    '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
} as const;

export type PackageContract = keyof typeof PACKAGE_ARTIFACTS;

/** Versions of the packages whose bytecode the devnet deploys (part of the saved-state key). */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of [
    '@aave/core-v3',
    '@uniswap/v2-core',
    '@uniswap/v2-periphery',
    '@uniswap/v3-core',
    '@uniswap/v3-periphery',
    '@morpho-org/morpho-blue',
  ]) {
    out[p] = (require(`${p}/package.json`) as { version: string }).version;
  }
  return out;
}

function readArtifact(name: PackageContract): HardhatArtifact {
  return JSON.parse(readFileSync(require.resolve(PACKAGE_ARTIFACTS[name]), 'utf8')) as HardhatArtifact;
}

/** ABI of a package contract (no linking needed). */
export function packageAbi(name: PackageContract): Abi {
  return readArtifact(name).abi;
}

/**
 * ABI and creation bytecode of a package contract, with its libraries linked to `libraries` (name →
 * address). A library left unlinked is an error naming it.
 */
export function packageContract(
  name: PackageContract,
  libraries: Record<string, Address> = {},
): CompiledContract {
  const a = readArtifact(name);
  let code = a.bytecode.slice(2);
  for (const refs of Object.values(a.linkReferences)) {
    for (const [lib, positions] of Object.entries(refs)) {
      const address = libraries[lib];
      if (!address) throw new Error(`${name} needs library ${lib} linked`);
      const hex = address.slice(2).toLowerCase();
      for (const { start, length } of positions) {
        if (length !== 20) throw new Error(`${name}: unexpected link length ${length} for ${lib}`);
        code = code.slice(0, start * 2) + hex + code.slice(start * 2 + 40);
      }
    }
  }
  if (code.includes('__')) throw new Error(`${name} still has unlinked library placeholders`);
  return { abi: a.abi, bytecode: `0x${code}` };
}

/**
 * Uniswap V2 contracts from the waffle builds shipped in `@uniswap/v2-core` (factory, pair) and
 * `@uniswap/v2-periphery` (Router02, whose pair-address hash matches the v2-core pair bytecode).
 */
export function uniswapV2Contract(
  name: 'UniswapV2Factory' | 'UniswapV2Pair' | 'UniswapV2Router02',
): CompiledContract {
  const pkg = name === 'UniswapV2Router02' ? '@uniswap/v2-periphery' : '@uniswap/v2-core';
  const a = JSON.parse(readFileSync(require.resolve(`${pkg}/build/${name}.json`), 'utf8')) as {
    abi: Abi;
    bytecode: string;
  };
  return { abi: a.abi, bytecode: (a.bytecode.startsWith('0x') ? a.bytecode : `0x${a.bytecode}`) as Hex };
}

/** Our contracts and Morpho Blue, compiled offline (cached). */
export function builtContract(name: string): CompiledContract {
  const set = compileContracts();
  const c = set[name];
  if (!c) throw new Error(`contract ${name} is not in the solc build (have ${Object.keys(set).join(', ')})`);
  return c;
}
