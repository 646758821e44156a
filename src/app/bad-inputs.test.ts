/**
 * The lab's part of the bad-input corpus (src/testing/bad-artefacts.ts): a saved session the link
 * names that is damaged or from a newer EvoLab is refused with a message naming the field, kept
 * untouched (the other sessions too) and offered for export or deletion; nothing of it reaches
 * the store, so no panel renders "Gen NaN %". Files given to the lab to import pass the same gate.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseImport, parseRunReport } from '../experiment/artefacts';
import { importCorpus, savedSession, sessionCorpus } from '../testing/bad-artefacts';
import { labHarness } from '../testing/lab-harness';
import { checkpointKey } from '../worker/protocol';
import { parseStoredSession } from './stored-session';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a damaged saved session', () => {
  it.each(sessionCorpus().map((c) => [c.name, c] as const))(
    '%s: refused, kept, offered for export or deletion',
    async (_, c) => {
      const h = labHarness({ search: '?session=bad' });
      await h.storage.put('sessions', 'bad', c.value);
      await h.storage.put('sessions', 'good', savedSession('good'));
      await h.storage.put('checkpoints', checkpointKey('good-0'), { kept: true });
      const before = structuredClone(h.storage.stores);
      await h.lab.initLab();
      await vi.advanceTimersByTimeAsync(500);
      const state = h.state();
      expect(state.damagedSession?.id).toBe('bad');
      expect(state.damagedSession?.problem).toMatch(c.message);
      expect(state.damagedSession?.problem).toMatch(/^the saved session bad: /);
      expect(h.notices()).toEqual([
        expect.stringMatching(/^error: the saved session bad: .*It is kept as it is: export it/),
      ]);
      // Nothing of it was taken in, and nothing stored changed (a save would have overwritten it).
      expect({ sessionId: state.sessionId, runs: state.runs, restoring: state.restoring }).toEqual({
        sessionId: null,
        runs: [],
        restoring: false,
      });
      expect(h.storage.stores).toEqual(before);
      // The link keeps naming it until it is deleted, so a reload shows it again.
      expect(h.location.search).toContain('session=bad');
      const exported = await h.lab.exportSession('bad');
      expect(exported?.filename).toBe('evolab-session-bad.json');
      expect(() => JSON.parse(exported!.text)).not.toThrow();
      await h.lab.deleteDamagedSession();
      expect(h.storage.keys('sessions')).toEqual(['good']);
      expect(h.storage.keys('checkpoints')).toEqual([checkpointKey('good-0')]);
      expect(h.state().damagedSession).toBeNull();
    },
  );

  it('exports what a damaged session holds in full: shared values twice, a cycle as a note', async () => {
    const h = labHarness({ search: '?session=bad' });
    const session = savedSession('bad') as unknown as { runs: { records: Record<string, unknown>[] }[] };
    session.runs[0].records[0].perLayer = session.runs[0].records[0];
    await h.storage.put('sessions', 'bad', session);
    await h.lab.initLab();
    const exported = JSON.parse((await h.lab.exportSession('bad'))!.text);
    expect(exported.runs[0].records[0].perLayer).toBe('(a reference to a field that contains it)');
    // The run's variant and the setup's share one object in the store; both are written out.
    expect(exported.runs[1].variant).toEqual(exported.setup.runs[1]);
  });

  it('a session saved before schema versions restores as it was, and is saved back with its version', async () => {
    const h = labHarness({ search: '?session=old' });
    const old = savedSession('old');
    await h.storage.put('sessions', 'old', old);
    await h.lab.initLab();
    expect(h.state().damagedSession).toBeNull();
    expect(h.state().runs.map((r) => r.records.length)).toEqual([2, 2]);
    expect(parseStoredSession(old, 'old')).toEqual(old);
    h.lab.updateSetup((s) => ({ ...s, rho: 0.4 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.storage.stores.sessions.get('old')).toMatchObject({ format: 'evolab-session', version: 1, id: 'old' });
    expect(parseStoredSession(h.storage.stores.sessions.get('old'), 'old').setup.rho).toBe(0.4);
  });

  it('a session keeps the values before and after of each mid-run change (a reload loses none of the history)', () => {
    const session = savedSession('h');
    session.runs[0].configChanges = [
      {
        generation: 2,
        changed: ['synthesis.budget.rho'],
        from: { 'synthesis.budget.rho': 0.5 },
        to: { 'synthesis.budget.rho': 0.45 },
      },
    ];
    expect(parseStoredSession(structuredClone(session), 'h')).toEqual(session);
  });
});

describe('a file given to the lab to import', () => {
  it.each(importCorpus().map((c) => [c.name, c] as const))('%s: refused, naming the file and field', (_, c) => {
    expect(() => parseImport(c.value, { name: 'dropped.json' })).toThrow(c.message);
    expect(() => parseImport(c.value, { name: 'dropped.json' })).toThrow(/^dropped\.json: /);
  });

  it('reads a run.json written before versions, and the lab’s own exports', () => {
    const h = savedSession('x');
    const run = h.runs[0];
    const report = {
      config: run.config,
      environment: { backend: 'wasm', backendReason: '', runtime: '', tfjsVersion: '', startedAt: '' },
      ancestor: { synapses: 143_136, kernels: 7_200 },
      records: run.records,
      configChanges: [],
      finished: true,
    };
    expect(parseImport(report, { name: 'run.json' })).toEqual({ kind: 'run', report });
    expect(parseRunReport({ format: 'evolab-run', version: 1, ...report }, { name: 'run.json' })).toEqual(report);
    const comparison = { format: 'evolab-comparison', version: 1, runs: [{ label: 'a', colour: '#f00', report }] };
    expect(parseImport(comparison, { name: 'all.json' })).toEqual({ kind: 'comparison', runs: comparison.runs });
  });
});
