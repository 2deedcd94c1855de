/**
 * cli/progress.ts as a terminal and as a log see it: a bar redrawn in place and cleared at the end on a TTY;
 * plain `progress ...` lines otherwise, one per stage change and at most one per interval while counts move;
 * nothing after end() (a late poll answer).
 */
import * as assert from 'node:assert/strict';
import { progressOn } from '../../cli/progress';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('cli: progress of a long step', function () {
  it('on a terminal: one line redrawn with a bar, cleared at the end', function () {
    const out = stream(true);
    const p = progressOn('score-users-2026-11-23', out);
    p.update('planning', 0, 0, '');
    p.update('scoring', 250_000, 1_000_000, 'rows');
    p.end();
    p.update('scoring', 1_000_000, 1_000_000, 'rows');
    assert.equal(out.text,
      `\r\x1b[K[${'.'.repeat(30)}] score-users-2026-11-23: planning` +
      `\r\x1b[K[${'#'.repeat(8)}${'.'.repeat(22)}] score-users-2026-11-23: scoring, 250,000/1,000,000 rows` +
      '\r\x1b[K');
  });

  it('elsewhere: plain lines on each stage change, counts at most once per interval, none after the end', function () {
    const out = stream(false);
    const p = progressOn('score-users-2026-11-23', out, 60_000);
    p.update('planning', 0, 0, '');
    p.update('planning', 0, 0, '');
    p.update('scoring', 0, 1_000_000, 'rows');
    p.update('scoring', 500_000, 1_000_000, 'rows'); // within the interval: not shown
    p.update('committing', 0, 0, '');
    p.end();
    p.update('done', 0, 0, '');
    assert.equal(out.text, [
      'progress score-users-2026-11-23: planning',
      'progress score-users-2026-11-23: scoring, 0/1,000,000 rows',
      'progress score-users-2026-11-23: committing',
      '',
    ].join('\n'));
  });
});
