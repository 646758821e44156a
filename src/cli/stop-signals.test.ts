/** Ctrl-C while a run goes: the three presses, npm's duplicate, and the exit after the write in progress. */
import { describe, expect, it } from 'vitest';
import type { CliIo, StopSignal } from './cli-io';
import { DUPLICATE_MS, StopSignals } from './stop-signals';

function fakeIo() {
  const lines: string[] = [];
  const exits: number[] = [];
  let send: ((s: StopSignal) => void) | null = null;
  const clock = { t: 0 };
  const io: Pick<CliIo, 'stderr' | 'exit' | 'now' | 'onSignal'> = {
    stderr: (t) => void lines.push(t.trim()),
    exit: (code) => void exits.push(code),
    now: () => clock.t,
    onSignal: (listener) => {
      send = listener;
      return () => (send = null);
    },
  };
  const press = (signal: StopSignal = 'SIGINT', after = 1000) => {
    clock.t += after;
    send?.(signal);
  };
  return { io, lines, exits, press, listening: () => send !== null };
}

describe('stop signals', () => {
  it('finish the generation on the first, say so on the second, quit on the third', () => {
    const f = fakeIo();
    const stop = new StopSignals(f.io, { unit: 'the generation in progress' });
    const stopped: StopSignal[] = [];
    stop.onStop((s) => stopped.push(s));
    f.press();
    expect(stopped).toEqual(['SIGINT']);
    expect(stop.stopped).toBe('SIGINT');
    expect(f.lines.at(-1)).toMatch(/^SIGINT: stopping after the generation in progress, which is then saved/);
    f.press();
    expect(f.lines.at(-1)).toMatch(/^already stopping after the generation in progress; press Ctrl-C once more/);
    expect(f.exits).toEqual([]);
    f.press();
    expect(f.lines.at(-1)).toBe('quitting now: the last finished generation is kept');
    expect(f.exits).toEqual([130]);
    expect(stopped).toEqual(['SIGINT']);
    // A stopper added later (the runner, once it exists) hears of the stop at once.
    const late: StopSignal[] = [];
    stop.onStop((s) => late.push(s));
    expect(late).toEqual(['SIGINT']);
    stop.dispose();
    expect(f.listening()).toBe(false);
  });

  it('count npm’s forwarded copy of a terminal’s Ctrl-C once', () => {
    const f = fakeIo();
    const stop = new StopSignals(f.io);
    f.press('SIGINT');
    f.press('SIGINT', 2);
    f.press('SIGINT', DUPLICATE_MS - 3);
    expect(f.lines).toHaveLength(1);
    // A person's next press, even a quick one, counts.
    f.press('SIGTERM', 1);
    expect(f.lines).toHaveLength(2);
    expect(f.lines[1]).toMatch(/^already stopping/);
    stop.dispose();
  });

  it('on the third, wait for the file being written, then exit with 128 + the first signal', async () => {
    const f = fakeIo();
    const stop = new StopSignals(f.io);
    let finish!: () => void;
    const writing = stop.write(() => new Promise<void>((resolve) => (finish = resolve)));
    f.press('SIGTERM');
    f.press();
    f.press();
    expect(f.lines.at(-1)).toBe('quitting as soon as the file being written is complete…');
    await Promise.resolve();
    expect(f.exits).toEqual([]);
    finish();
    await writing;
    await Promise.resolve();
    expect(f.exits).toEqual([143]);
    stop.dispose();
  });
});
