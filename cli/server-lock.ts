/**
 * One local Temporal dev server per database file. Two dev servers on one SQLite file both start and then
 * overwrite each other's state, so `dev-server` and `demo` take a lock file next to the database
 * (`<db>.lock`, holding the holder's pid and address) and refuse to start while another live process holds it,
 * naming that process and its address. A lock whose process is gone (killed with SIGKILL) is taken over.
 * docs/decisions/one-server-per-database.md says why a lock file rather than a port check.
 */
import * as fs from 'node:fs';
import { CliError, EXIT } from './exit-codes';

export interface ServerLock {
  /** Record where the server listens, for the message a second server prints. */
  setAddress(address: string): void;
  release(): void;
}

interface Holder {
  pid: number;
  address?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined; // gone meanwhile, or half written: treated as stale
  }
}

/** Take the lock of database file `db`, or throw a CliError (exit 1) naming the server that holds it. */
export function lockServerDatabase(db: string): ServerLock {
  const file = `${db}.lock`;
  const write = (holder: Holder, flag: 'wx' | 'w') => fs.writeFileSync(file, JSON.stringify(holder), { flag });
  const mine: Holder = { pid: process.pid };
  for (let attempt = 0; ; attempt++) {
    try {
      write(mine, 'wx');
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const holder = readHolder(file);
    if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
      const where = holder.address ? ` at ${holder.address}` : '';
      throw new CliError(
        `another Temporal dev server uses the database ${db} (pid ${holder.pid}${where}); ` +
          `stop it first${holder.address ? `, or use it with TEMPORAL_ADDRESS=${holder.address}` : ''}, or choose another --data-dir`,
        EXIT.failed,
      );
    }
    fs.rmSync(file, { force: true }); // stale: its process is gone
  }
  const release = () => {
    if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return {
    setAddress(address) {
      mine.address = address;
      write(mine, 'w');
    },
    release,
  };
}
