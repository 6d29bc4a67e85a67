/**
 * While `basis serve` holds the embedded store, it writes `<store dir>.server.json` beside the lock
 * (mode 0600: only the store's owner reads it) with its pid, its URL and a token made for this session,
 * so a CLI command that finds the store locked talks to that server's API instead of refusing
 * (src/cli/remote-store.ts). The file goes when the server stops; one left by a process that has gone
 * is ignored.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ServerInfo {
  pid: number;
  /** http://127.0.0.1:PORT (a loopback address the server listens on). */
  url: string;
  /** The session's local token: the import endpoint and state changes accept it (x-basis-local-token). */
  token: string;
  /** The embedded store directory the server holds. */
  store: string;
}

export const LOCAL_TOKEN_HEADER = 'x-basis-local-token';

export function serverInfoPath(storeDir: string): string {
  return `${resolve(storeDir)}.server.json`;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeServerInfo(info: ServerInfo): string {
  const path = serverInfoPath(info.store);
  writeFileSync(path, JSON.stringify(info) + '\n', { mode: 0o600 });
  const remove = () => {
    try {
      if ((JSON.parse(readFileSync(path, 'utf8')) as ServerInfo).pid === info.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', remove);
  return path;
}

export function removeServerInfo(storeDir: string): void {
  try {
    const path = serverInfoPath(storeDir);
    if ((JSON.parse(readFileSync(path, 'utf8')) as ServerInfo).pid === process.pid) unlinkSync(path);
  } catch {
    // none
  }
}

/** The running server holding `storeDir`, or null (no file, unreadable, or its process has gone). */
export function readServerInfo(storeDir: string): ServerInfo | null {
  let info: ServerInfo;
  try {
    info = JSON.parse(readFileSync(serverInfoPath(storeDir), 'utf8')) as ServerInfo;
  } catch {
    return null;
  }
  if (typeof info.url !== 'string' || typeof info.token !== 'string' || !alive(info.pid)) return null;
  if (info.pid === process.pid) return null;
  return info;
}
