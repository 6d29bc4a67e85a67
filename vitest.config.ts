import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // builds the saved devnet chain once; on-chain test files each start an anvil from it
    globalSetup: ['test/onchain/globalSetup.ts'],
  },
});
