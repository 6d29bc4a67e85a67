/**
 * Loaded with `node --import` into the `basis` processes bench/process.ts spawns: at exit it writes the
 * process's peak resident set size (KiB) to $BENCH_RSS_FILE — the kernel's VmHWM of this process image
 * (rusage's maxrss would carry over the spawning parent's peak across exec on Linux).
 */
import { readFileSync, writeFileSync } from 'node:fs';

function peakKib(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no /proc (not Linux)
  }
  return process.resourceUsage().maxRSS;
}

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(peakKib())));
