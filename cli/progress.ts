/**
 * Progress of a long step, on stderr so stdout keeps only results (and --json stays parseable): on a terminal a
 * bar redrawn in place and cleared at the end; otherwise (a log, a pipe, CI) a plain line `progress <what>: ...`
 * when the stage changes, and at most every `everyMs` while the numbers change. Commands that wait (run --wait)
 * feed it what they poll.
 */
export interface Progress {
  update(stage: string, done: number, total: number, unit: string): void;
  end(): void;
}

const BAR = 30;

export function progressOn(what: string, stream: NodeJS.WriteStream = process.stderr, everyMs = 2000): Progress {
  const tty = stream.isTTY === true;
  let last = '';
  let lastStage = '';
  let lastAt = 0;
  let ended = false;
  return {
    update(stage, done, total, unit) {
      const counts = total > 0 ? `, ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}` : '';
      const line = `${what}: ${stage}${counts}`;
      if (ended || line === last || (!tty && stage === lastStage && Date.now() - lastAt < everyMs)) return;
      if (tty) {
        const filled = total > 0 ? Math.round((BAR * done) / total) : 0;
        stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${line}`);
      } else {
        stream.write(`progress ${line}\n`);
      }
      [last, lastStage, lastAt] = [line, stage, Date.now()];
    },
    end() {
      if (tty && last && !ended) stream.write('\r\x1b[K');
      ended = true; // a poll answered after the end is not shown
    },
  };
}
