/**
 * Talking to a running runner from another process (the CLI, later the API): commands are files dropped
 * atomically into `<run dir>/control/`, picked up at the next tick, journaled with their id (so a command
 * is applied once even if the runner dies before deleting the file) and then removed. The runner writes
 * its status to `<run dir>/status.json` (atomically) after every tick; a pid file guards against two
 * runners on one run directory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../domain/errors.js';

export type ControlCommand =
  | { command: 'deposit'; amount: number }
  | { command: 'withdraw'; amount: number }
  | { command: 'stop' };

export type ControlMessage = ControlCommand & { id: string; createdMs: number };

export interface RunPaths {
  dir: string;
  journal: string;
  events: string;
  status: string;
  control: string;
  pid: string;
}

export function runPaths(runsDir: string, runId: string): RunPaths {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId))
    throw new InputError(`run id "${runId}" may only hold letters, digits, '.', '_' and '-'`);
  const dir = join(runsDir, runId);
  return {
    dir,
    journal: join(dir, 'journal.jsonl'),
    events: join(dir, 'events.jsonl'),
    status: join(dir, 'status.json'),
    control: join(dir, 'control'),
    pid: join(dir, 'runner.pid'),
  };
}

/** Writes `text` to `path` atomically (temp file + rename). */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export class RunControl {
  constructor(readonly paths: RunPaths) {}

  /** Sends a command to the runner of this run (it applies it at its next tick). Returns the command id. */
  send(cmd: ControlCommand): string {
    if (!existsSync(this.paths.dir)) throw new InputError(`no run at ${this.paths.dir}`);
    if (
      (cmd.command === 'deposit' || cmd.command === 'withdraw') &&
      !(Number.isFinite(cmd.amount) && cmd.amount > 0)
    )
      throw new InputError(`${cmd.command} amount must be a positive number, was ${cmd.amount}`);
    mkdirSync(this.paths.control, { recursive: true });
    const createdMs = Date.now();
    const id = `${createdMs.toString().padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
    writeAtomic(join(this.paths.control, `${id}.json`), JSON.stringify({ ...cmd, id, createdMs }));
    return id;
  }

  /** Pending commands, oldest first (runner side). Malformed files are returned as errors, not applied. */
  pending(): { messages: ControlMessage[]; malformed: string[] } {
    if (!existsSync(this.paths.control)) return { messages: [], malformed: [] };
    const messages: ControlMessage[] = [];
    const malformed: string[] = [];
    for (const f of readdirSync(this.paths.control)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      try {
        const m = JSON.parse(readFileSync(join(this.paths.control, f), 'utf8')) as ControlMessage;
        if (typeof m.id !== 'string' || !['deposit', 'withdraw', 'stop'].includes(m.command))
          throw new Error('bad');
        messages.push(m);
      } catch {
        malformed.push(f);
      }
    }
    return { messages, malformed };
  }

  /** Removes a command file once the runner has journaled it. */
  done(idOrFile: string): void {
    const f = idOrFile.endsWith('.json') ? idOrFile : `${idOrFile}.json`;
    rmSync(join(this.paths.control, f), { force: true });
  }

  /** The runner's last status, or null before its first tick. */
  status(): Record<string, unknown> | null {
    if (!existsSync(this.paths.status)) return null;
    return JSON.parse(readFileSync(this.paths.status, 'utf8')) as Record<string, unknown>;
  }

  /** The pid of a live runner on this run directory, or null. */
  runnerPid(): number | null {
    if (!existsSync(this.paths.pid)) return null;
    const pid = Number(readFileSync(this.paths.pid, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return null;
    }
  }
}
