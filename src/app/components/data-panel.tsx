/** Where the data come from, what to do when they are missing, and a drop zone for the files. */
import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { servedFiles } from '../../worker/dataset-files';
import { addDroppedFiles } from '../lab';
import { useLab } from '../store';

export function DataPanel() {
  const { dataset, data } = useLab(useShallow((s) => ({ dataset: s.setup.dataset, data: s.data })));
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const name = dataset === 'mnist' ? 'MNIST' : 'CIFAR-10';
  const folder = dataset === 'mnist' ? 'mnist' : 'cifar-10';
  const files = servedFiles(dataset).map((f) => f.name);
  return (
    <section className="panel data" aria-labelledby="data-title" data-testid="data-panel">
      <h2 id="data-title">Data</h2>
      {data.served === 'checking' ? (
        <p>
          Looking for the {name} files under /data/{folder}/…
        </p>
      ) : null}
      {data.served === 'present' ? (
        <p data-testid="data-ok">
          ✓ {name} is served from <code>/data/{folder}/</code>.
        </p>
      ) : null}
      {data.served === 'missing' && data.missing.length ? (
        <div className="instructions" data-testid="data-missing" role="status">
          <p>
            <strong>The {name} files are not here yet.</strong> In the repository folder, run
          </p>
          <pre>npm run data -- --dataset {dataset}</pre>
          <p>
            (add <code>DATA_DIR=../shared/datasets</code> in front to copy them from a local folder instead of
            downloading), then reload this page. Or drop the files on this page: {data.missing.join(', ')}.
          </p>
        </div>
      ) : null}
      {data.served === 'missing' && !data.missing.length ? (
        <p data-testid="data-ok">✓ Every {name} file was dropped on the page (they are not kept after a reload).</p>
      ) : null}
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          e.stopPropagation();
          setOver(false);
          void addDroppedFiles([...e.dataTransfer.files]);
        }}
      >
        <p>
          Drop {name} files here ({files.join(', ')}), or
        </p>
        <button type="button" onClick={() => input.current?.click()} disabled={data.checking}>
          {data.checking ? 'Checking…' : 'Choose files…'}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          aria-label="Dataset files"
          onChange={(e) => {
            void addDroppedFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
      </div>
      {data.checks.length ? (
        <ul className="checks" data-testid="file-checks">
          {data.checks.map((c, i) => (
            <li key={i} className={c.ok ? 'ok' : 'bad'}>
              {c.ok ? '✓ ' : '✗ '}
              {c.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
