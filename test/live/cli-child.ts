/** The `basis` command from the TypeScript sources, for tests that run it as a process. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
