/**
 * Child process of the crash test: one `basis run` (through the same LiveRunner the CLI uses) with its
 * options as JSON in argv[2]; the parent kills it with SIGKILL at random points.
 */
import { LiveRunner } from '../../src/engine/live/runner.js';
import type { LiveRunOptions } from '../../src/engine/live/options.js';

const opts = JSON.parse(process.argv[2]) as LiveRunOptions;
const runner = await LiveRunner.open({ ...opts, log: (line) => process.stdout.write(`${line}\n`) });
process.once('SIGTERM', () => runner.requestStop('SIGTERM'));
const summary = await runner.run();
process.stdout.write(`done ${summary.state}\n`);
