/**
 * Issue 20 in the browser: a folder of one's own pictures, dropped as a zip or chosen as a
 * folder, becomes the dataset (decoded in the Worker); a run on it exports its evolved network
 * from the run's card, and a second page that knows nothing of EvoLab loads the downloaded files
 * with tf.loadLayersModel and gets the record's test accuracy.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatch, openDatasetSplits, zipSource } from '../src/data';
import { nodeImageDecoder } from '../src/data/node-decoder';
import type { RunReport } from '../src/experiment/records';
import { zipBytes } from '../src/testing/data';
import { pictureFiles, writePictureFolder } from '../src/testing/pictures';
import { baseUrl, dropFile, launch, newLabContext, openLab, root, shot, waitForStatuses } from './browser';

const SHAPES = { classes: ['left', 'top', 'right'], perClass: 10, colour: false };
// One asexual run on the pictures: a 2-epoch ancestor (24 training pictures), one generation of offspring.
const PICTURES =
  'dataset=images&runs=asexual&generations=2&epochs=1&ancestorEpochs=2&backend=wasm&ancestor=train&rho=0.5';

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: d.suggestedFilename(), bytes: await readFile(await d.path()) };
}

describe('datasets and exported models in the lab', () => {
  it('turns a dropped zip of pictures into a dataset, runs on it, and exports a model a second page loads', async () => {
    const zip = zipBytes(pictureFiles(SHAPES).map((f) => ({ name: `shapes/${f.path}`, data: f.bytes, deflate: true })));
    const { page, context, logs } = await openLab(browser, PICTURES);
    try {
      // Nothing to learn from yet: the panel says what to drop, and Start says so too.
      await page.getByTestId('data-missing').waitFor();
      // Which datasets the site serves: the tests serve MNIST only.
      const list = page.getByTestId('dataset-availability');
      await list.waitFor({ timeout: 20_000 });
      expect(await list.locator('[data-dataset="mnist"]').getAttribute('data-available')).toBe('true');
      expect(await list.locator('[data-dataset="fashion-mnist"]').getAttribute('data-available')).toBe('false');

      // A zip with a single class is refused, saying why.
      const lonely = zipBytes(
        pictureFiles({ ...SHAPES, classes: ['left'] }).map((f) => ({ name: `one/${f.path}`, data: f.bytes })),
      );
      await dropFile(page, 'one.zip', lonely);
      await page.getByTestId('folder-refused').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('folder-refused').innerText()).toMatch(/single class \(left\)/);

      await dropFile(page, 'shapes.zip', zip);
      const ok = page.getByTestId('data-ok');
      await ok.waitFor({ timeout: 60_000 });
      expect(await ok.innerText()).toBe(
        '✓ shapes: 3 classes (left, right, top), 24 training and 6 test pictures, 28×28 grey',
      );
      await shot(page, 'pictures-dropped');

      await page.getByTestId('primary').click();
      await waitForStatuses(page, 'completed', 240_000);
      const card = page.getByTestId('run-asexual');
      const json = await download(page, () => card.getByTestId('export-json').click());
      const report = JSON.parse(json.bytes.toString('utf8')) as RunReport;
      expect(report.config.dataset).toBe('images');
      expect(report.data).toMatchObject({ name: 'shapes', classNames: ['left', 'right', 'top'], testImages: 6 });
      const record = report.records.find((r) => r.generation === 2)!;
      expect(record.exportBytes).toBeGreaterThan(0);
      expect(record.inferenceImagesPerSecond).toBeGreaterThan(0);
      // The card shows the model's real size beside the ancestor's.
      const size = card.getByTestId('model-size');
      expect(await size.getAttribute('data-bytes')).toBe(String(record.exportBytes));
      expect(await size.innerText()).toMatch(
        /Gen 2 as a model: .*KB · [\d,]+ images\/s \(ancestor: .*KB · [\d,]+ images\/s\)/,
      );

      // Export generation 2 and download both files.
      await card.getByTestId('export-generation').selectOption('2');
      await card.getByTestId('export-model').click();
      await card.getByTestId('model-files').waitFor({ timeout: 60_000 });
      const links = card.getByTestId('model-file');
      expect(await links.count()).toBe(2);
      const dir = await mkdtemp(path.join(tmpdir(), 'evolab-e2e-model-'));
      const files: Record<string, Buffer> = {};
      for (const link of await links.all()) {
        const f = await download(page, () => link.click());
        files[f.name] = f.bytes;
        await writeFile(path.join(dir, f.name), f.bytes);
      }
      expect(Object.keys(files).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
      expect(files['model.json'].length + files['group1-shard1of1.bin'].length).toBe(record.exportBytes);
      await shot(page, 'model-exported');

      // A second page, knowing nothing of EvoLab, loads the files with tf.loadLayersModel.
      const second = await context.newPage();
      const served: Record<string, { body: Buffer; type: string }> = {
        'load-model.html': { body: await readFile(path.join(root, 'e2e/load-model.html')), type: 'text/html' },
        'tf.min.js': {
          body: await readFile(path.join(root, 'node_modules/@tensorflow/tfjs/dist/tf.min.js')),
          type: 'text/javascript',
        },
        'model.json': { body: files['model.json'], type: 'application/json' },
        'group1-shard1of1.bin': { body: files['group1-shard1of1.bin'], type: 'application/octet-stream' },
      };
      await second.route(`${baseUrl()}/exported/**`, (route) => {
        const file = served[new URL(route.request().url()).pathname.split('/').pop()!];
        return file ? route.fulfill({ body: file.body, contentType: file.type }) : route.fulfill({ status: 404 });
      });
      await second.goto(`${baseUrl()}/exported/load-model.html`);
      // The record's test pictures, read in Node from the same zip (the same holdout and resizing).
      const { test } = await openDatasetSplits(
        zipSource(zip, 'shapes.zip'),
        { kind: 'images', name: 'shapes' },
        { decoder: nodeImageDecoder },
      );
      const batch = makeBatch(
        test,
        Int32Array.from({ length: test.count }, (_, i) => i),
        0,
        test.count,
      );
      const answer = await second.evaluate(
        ([pixels, shape]) =>
          (
            window as unknown as {
              classify: (
                p: number[],
                s: number[],
              ) => Promise<{
                backend: string;
                classes: number[];
                parameters: number;
                layers: [string, number[]][];
                metadata: Record<string, unknown>;
              }>;
            }
          ).classify(pixels, shape),
        [Array.from(batch.x), [test.count, test.height, test.width, test.channels]] as [number[], number[]],
      );
      const correct = answer.classes.filter((c, i) => c === test.labels[i]).length;
      expect(correct / test.count).toBe(record.testAccuracy);
      expect(answer.metadata).toMatchObject({ generation: 2, classNames: ['left', 'right', 'top'] });
      expect(answer.parameters).toBe(record.exportParameters);
      expect(answer.layers.map(([name]) => name)).toEqual(['conv1', 'conv2', 'conv3', 'fc1', 'fc2']);
      expect(answer.layers.at(-1)![1]).toEqual([expect.any(Number), 3]);
      console.log(
        `exported generation 2: ${record.exportBytes} bytes, ${answer.parameters} parameters, layers ${JSON.stringify(answer.layers)}; second page on ${answer.backend}: ${correct}/${test.count}`,
      );
      await second.close();
    } finally {
      if (logs.some((l) => l.startsWith('pageerror'))) console.warn(logs.join('\n'));
      await context.close();
    }
  });

  it('takes a chosen folder of colour pictures (the network then takes 32×32×3)', async () => {
    const dir = await writePictureFolder(path.join(await mkdtemp(path.join(tmpdir(), 'evolab-e2e-')), 'colours'), {
      ...SHAPES,
      colour: true,
    });
    const ctx = await newLabContext(browser);
    const { page, context } = await openLab(browser, 'dataset=images', ctx);
    try {
      await page.getByTestId('folder-input').setInputFiles(dir);
      const ok = page.getByTestId('data-ok');
      await ok.waitFor({ timeout: 60_000 });
      expect(await ok.innerText()).toBe(
        '✓ colours: 3 classes (left, right, top), 24 training and 6 test pictures, 32×32 colour',
      );
    } finally {
      await context.close();
    }
  });
});
