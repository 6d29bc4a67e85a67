/**
 * Loaded with `node --import` into the `basis` processes bench/process.ts spawns: at exit it writes the
 * process's peak resident set size (KiB, from the kernel's rusage) to $BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
