import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // builds the saved devnet chain once; on-chain test files each start an anvil from it
    globalSetup: ['test/onchain/globalSetup.ts'],
    // the built-in strategy families (a test of the config room alone reads mode files too)
    setupFiles: ['test/setup/families.ts'],
  },
});
