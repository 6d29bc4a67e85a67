#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

// A closed pipe (`basis ... | head`) is not an error
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`basis: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
