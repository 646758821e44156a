/**
 * The page never goes blank: a saved session that is damaged is shown as such (with its field)
 * and can be exported and deleted while the other sessions stay; a panel that fails to draw
 * shows a message in its place; and a valid gzip file of several members (which Chrome's own
 * decoder stops reading after the first) is accepted on drop, as the CLI accepts it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savedSession } from '../src/testing/bad-artefacts';
import { baseUrl, dropFile, launch, newLabContext, openLab, root, shot } from './browser';

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Puts sessions into the lab's IndexedDB (as the app opens it) before the page reads them. */
async function storeSessions(page: Page, sessions: Record<string, unknown>, nanAccuracyIn?: string) {
  await page.evaluate(
    async ([all, nanIn]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        // No version: whatever the app has opened (or version 1 on a fresh profile, which the app upgrades).
        const req = indexedDB.open('evolab');
        req.onupgradeneeded = () => {
          for (const name of ['sessions', 'checkpoints'])
            if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const tx = db.transaction('sessions', 'readwrite');
      for (const [key, value] of Object.entries(all)) {
        // JSON cannot carry NaN; IndexedDB keeps it, as a diverged run could have stored it.
        if (key === nanIn)
          (value as { runs: { records: { testAccuracy: number }[] }[] }).runs[0].records[0].testAccuracy = NaN;
        tx.objectStore('sessions').put(value, key);
      }
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    [sessions, nanAccuracyIn ?? null] as const,
  );
}

const storedKeys = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const req = indexedDB.open('evolab');
        req.onsuccess = () => {
          const keys = req.result.transaction('sessions').objectStore('sessions').getAllKeys();
          keys.onsuccess = () => resolve((keys.result as string[]).sort());
          keys.onerror = () => reject(keys.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );

describe('the lab with damaged input', () => {
  it('shows a damaged saved session instead of a blank page; it can be exported and deleted, the other one stays', async () => {
    const { page, context, logs } = await openLab(browser, '');
    try {
      await storeSessions(page, { bad: savedSession('bad'), good: savedSession('good') }, 'bad');
      await page.goto(`${baseUrl()}/?session=bad`);
      const panel = page.getByTestId('damaged-session');
      await panel.waitFor({ timeout: 30_000 });
      expect(await panel.innerText()).toContain(
        'the saved session bad: runs[0].records[0].testAccuracy must be a number from 0 to 1 (got NaN)',
      );
      // The rest of the lab is there and works; nothing shows "NaN %".
      // Start also waits until the shipped ancestor has been looked for (its own request, which
      // may answer after the data files'): then it is offered, the damaged session notwithstanding.
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="primary"]') as HTMLButtonElement | null)?.disabled === false,
        undefined,
        { timeout: 20_000, polling: 100 },
      );
      expect(await page.getByTestId('primary').innerText()).toBe('Start');
      expect(await page.locator('body').innerText()).not.toMatch(/NaN\s*%/);
      await shot(page, 'damaged-session');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-session').click()]);
      expect(download.suggestedFilename()).toBe('evolab-session-bad.json');
      const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(exported).toMatchObject({ id: 'bad', runs: [{ id: 'bad-0' }, { id: 'bad-1' }] });
      page.once('dialog', (d) => void d.accept());
      await page.getByTestId('delete-session').click();
      await panel.waitFor({ state: 'detached' });
      expect(await storedKeys(page)).toEqual(['good']);
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows one panel that fails to draw as a message in its place, and the others as usual', async () => {
    const context = await newLabContext(browser);
    // The heatmaps draw on a canvas: make drawing fail, as a damaged value could make it.
    await context.addInitScript(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, ...args: unknown[]) {
        if (this.closest('.heatmaps')) throw new Error('the canvas cannot draw here');
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
    });
    const { page } = await openLab(browser, '', context);
    try {
      await storeSessions(page, { ok: savedSession('ok') });
      await page.goto(`${baseUrl()}/?session=ok`);
      const failed = page.locator('[data-testid="panel-failed"][data-panel="heatmaps"]');
      await failed.waitFor({ timeout: 30_000 });
      expect(await failed.innerText()).toMatch(/The heatmaps could not be shown\s+the canvas cannot draw here/);
      // The run cards and charts of the same session are drawn; the panel offers the session's export.
      await page.getByTestId('run-asexual').waitFor();
      expect(await page.locator('.charts').count()).toBe(1);
      expect(await failed.getByTestId('export-session').isVisible()).toBe(true);
      await shot(page, 'panel-failed');
    } finally {
      await context.close();
    }
  });

  it('accepts a dropped gzip file of several members, which the browser’s decoder alone refuses', async () => {
    const { page, context } = await openLab(browser, '');
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      const labels = gunzipSync(readFileSync(path.join(root, 'public/data/mnist/t10k-labels-idx1-ubyte.gz')));
      const members = Buffer.concat([gzipSync(labels.subarray(0, 4000)), gzipSync(labels.subarray(4000))]);
      const refused = await page.evaluate(
        async (b) => {
          const stream = new Blob([new Uint8Array(b)]).stream().pipeThrough(new DecompressionStream('gzip'));
          return new Response(stream).arrayBuffer().then(
            () => null,
            (e: Error) => e.message,
          );
        },
        [...members],
      );
      expect(refused).not.toBeNull();
      await dropFile(page, 't10k-labels-idx1-ubyte.gz', members);
      const check = page.getByTestId('file-checks').locator('li');
      await check.first().waitFor({ timeout: 30_000 });
      expect(await check.first().innerText()).toBe('✓ t10k-labels-idx1-ubyte.gz: MNIST test labels, 10000');
      expect(await page.getByTestId('notice-error').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
