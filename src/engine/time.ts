/** Parsing of user-supplied times: `2024-03-01`, `2024-03-01T08:00`, `2024-03-01T08:00:00Z`; always UTC. */
import { InputError } from '../domain/errors.js';

export function parseTime(text: string, what: string): number {
  const s = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(Z|[+-]00:?00)?$/.exec(s);
  if (!m)
    throw new InputError(`${what} "${text}" is not a date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)`);
  const [, y, mo, d, h = '0', mi = '0', se = '0'] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== +y || back.getUTCMonth() !== +mo - 1 || back.getUTCDate() !== +d) {
    throw new InputError(`${what} "${text}" is not a valid calendar date`);
  }
  return ms;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
