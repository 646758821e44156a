import { describe, expect, it } from 'vitest';
import { CpuTurns, peersOverride, peersPerRun, trainingSlots } from './cpu';

describe('CPU turns', () => {
  it('lets one Worker train at a time on 2 cores, in turn', () => {
    expect(trainingSlots(2)).toBe(1);
    expect(trainingSlots(8)).toBe(7);
    const cpu = new CpuTurns(1);
    expect(cpu.want('a')).toEqual(['a']);
    expect(cpu.want('b')).toEqual([]);
    expect(cpu.isWaiting('b')).toBe(true);
    // a's slice is over: b goes, a waits.
    expect(cpu.want('a')).toEqual(['b']);
    expect(cpu.forget('b')).toEqual(['a']);
    expect(cpu.want('a')).toEqual(['a']);
  });

  it('gives runs helper Workers only where every run gets cores of its own', () => {
    // 2 cores: one slot, no helpers; 8 cores (7 slots): 2 runs get 2 helpers each, 3 runs 1, 4 runs none.
    expect(peersPerRun(trainingSlots(2), 2)).toBe(0);
    expect(peersPerRun(trainingSlots(8), 2)).toBe(2);
    expect(peersPerRun(trainingSlots(8), 3)).toBe(1);
    expect(peersPerRun(trainingSlots(8), 4)).toBe(0);
    expect(peersPerRun(trainingSlots(4), 1)).toBe(2);
    expect(peersOverride('?peers=1&rho=0.5')).toBe(1);
    expect(peersOverride('?peers=0')).toBe(0);
    expect(peersOverride('?peers=-1')).toBeNull();
    expect(peersOverride('?peers=many')).toBeNull();
    expect(peersOverride('?rho=0.5')).toBeNull();
  });
});
