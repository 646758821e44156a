/**
 * A fresh context for an exported model: run as its own process (`tsx load-exported-model.ts
 * MODEL_DIR DATA_DIR DATASET TEST_SUBSET SEED`), it serves MODEL_DIR over HTTP, loads it with
 * plain `tf.loadLayersModel(url)` (tfjs' own kernels on its default Node backend: nothing of
 * EvoLab's network code is imported) and prints, as JSON, the model's layers and parameters and
 * its accuracy on the test images the run used (the subset its seed picks).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeBatch, openDatasetSplits } from '../data';
import { folderSource } from '../data/node-source';
import { subsetIndices } from '../experiment/subsets';

async function main([modelDir, dataDir, dataset, testSubset, seed]: string[]) {
  const server = createServer((req, res) => {
    const file = path.join(modelDir, path.basename(req.url ?? ''));
    readFile(file).then(
      (bytes) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const model = await tf.loadLayersModel(`http://127.0.0.1:${port}/model.json`);
    const { test } = await openDatasetSplits(folderSource(dataDir), dataset as 'mnist');
    const indices = subsetIndices(test, testSubset === 'all' ? null : Number(testSubset), Number(seed), 'test');
    let correct = 0;
    for (let start = 0; start < indices.length; start += 100) {
      const b = makeBatch(test, indices, start, start + 100);
      const p = tf.tidy(() =>
        tf.argMax(model.predict(tf.tensor4d(b.x, [b.size, test.height, test.width, test.channels])) as tf.Tensor, 1),
      );
      const predicted = await p.data();
      p.dispose();
      for (let i = 0; i < b.size; i++) if (predicted[i] === b.labels[i]) correct++;
    }
    process.stdout.write(
      JSON.stringify({
        backend: tf.getBackend(),
        correct,
        total: indices.length,
        parameters: model.countParams(),
        layers: model.layers.map((l) => ({ name: l.name, kernel: l.getWeights()[0]?.shape ?? null })),
        metadata: model.getUserDefinedMetadata() ?? null,
      }) + '\n',
    );
  } finally {
    server.close();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
