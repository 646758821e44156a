import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../testing/fake-storage';
import { forgetBackendChoices, storedBackendChoices } from './backend-choices';

describe('stored backend choices', () => {
  it('keeps one choice per key, and forgets them all at once', async () => {
    const storage = new MemoryStorage();
    const choices = storedBackendChoices<{ chosen: string }>(storage);
    expect(await choices.get('a')).toBeUndefined();
    await choices.put('a', { chosen: 'webgpu' });
    await choices.put('b', { chosen: 'wasm' });
    await choices.put('a', { chosen: 'wasm' });
    expect(await choices.get('a')).toEqual({ chosen: 'wasm' });
    expect(await choices.get('b')).toEqual({ chosen: 'wasm' });
    expect(storage.keys('backend')).toEqual(['choices']);
    await forgetBackendChoices(storage);
    expect([await choices.get('a'), await choices.get('b')]).toEqual([undefined, undefined]);
  });
});
