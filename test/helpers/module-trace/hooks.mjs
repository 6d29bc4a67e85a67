// Module loader hook for the startup tests: appends the URL of every module loaded to $MODULE_TRACE_OUT.
import { appendFileSync } from 'node:fs';
import process from 'node:process';

export async function load(url, context, next) {
  if (process.env.MODULE_TRACE_OUT) appendFileSync(process.env.MODULE_TRACE_OUT, url + '\n');
  return next(url, context);
}
