/**
 * Where the data come from, what to do when they are missing, and a drop zone: the standard files
 * of a registered dataset, or a folder (or zip) for an IDX or image-folder dataset. Below, which
 * datasets this site serves.
 */
import { useRef, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  datasetTitle,
  isFolderKind,
  listDatasets,
  registeredDataset,
  type FolderDatasetKind,
  type RegisteredName,
} from '../../experiment/datasets';
import { servedFiles } from '../../worker/dataset-files';
import { folderFromDrop, folderFromFiles } from '../dropped-folder';
import { addDroppedFiles, addDroppedFolder, notify } from '../lab';
import { useLab, type DataState } from '../store';

export function DataPanel() {
  const { dataset, data, replaying } = useLab(
    useShallow((s) => ({ dataset: s.setup.dataset, data: s.data, replaying: s.replay !== null })),
  );
  return (
    <section className="panel data" aria-labelledby="data-title" data-testid="data-panel">
      <h2 id="data-title">Data</h2>
      {replaying ? (
        // The setup is the replayed runs' (perhaps another dataset than the files checked): their
        // status would answer a question nobody asked.
        <p data-testid="data-replay">
          A replay trains nothing, so it needs no data: the numbers are the recorded runs’ own. Close the replay to run
          your own.
        </p>
      ) : isFolderKind(dataset) ? (
        <FolderData kind={dataset} data={data} />
      ) : (
        <RegisteredData dataset={dataset} data={data} />
      )}
      <Availability data={data} />
    </section>
  );
}

function RegisteredData({ dataset, data }: { dataset: RegisteredName; data: DataState }) {
  const input = useRef<HTMLInputElement>(null);
  const name = datasetTitle(dataset);
  const folder = registeredDataset(dataset).folder;
  const files = servedFiles(dataset).map((f) => f.name);
  return (
    <>
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
      <DropZone onDrop={(dropped) => void addDroppedFiles([...dropped.files])}>
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
      </DropZone>
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
    </>
  );
}

const FOLDER_TEXT: Record<FolderDatasetKind, { what: string; drop: string }> = {
  images: {
    what: 'Your own pictures: one sub-folder per class (cat/, dog/, …) of PNG or JPEG pictures of any size, at least 5 per class. Each is cropped to its centred square and resized to 28×28 grey, or 32×32 colour when any picture is in colour. A fifth of each class is held out for testing, unless the folder has train/ and test/ sub-folders. The pictures stay in this browser.',
    drop: 'Drop the folder (or a zip of it) here, or',
  },
  idx: {
    what: 'Any dataset in the IDX format of MNIST: its four files (training and test images and labels, gzipped or not). The image size and the number of classes are read from the files, and the network adapts to them.',
    drop: 'Drop the folder, the four files or a zip here, or',
  },
};

function FolderData({ kind, data }: { kind: FolderDatasetKind; data: DataState }) {
  const folderInput = useRef<HTMLInputElement>(null);
  const filesInput = useRef<HTMLInputElement>(null);
  const check = data.folderCheck;
  const take = (files: FileList | null) => {
    const folder = folderFromFiles([...(files ?? [])]);
    if (folder) void addDroppedFolder(folder);
  };
  return (
    <>
      <p className="muted">{FOLDER_TEXT[kind].what}</p>
      {data.folder && check?.ok ? (
        <p data-testid="data-ok">✓ {check.message}</p>
      ) : data.folder ? null : (
        <p data-testid="data-missing" role="status">
          <strong>Nothing is here yet.</strong> {FOLDER_TEXT[kind].drop.replace(/ here, or$/, ' below.')}
        </p>
      )}
      {check && !check.ok ? (
        <p className="error" data-testid="folder-refused">
          ✗ {check.message}
        </p>
      ) : null}
      <DropZone
        onDrop={(dropped) =>
          // The drop's entries must be taken now: its DataTransfer empties after this handler.
          void folderFromDrop(dropped).then(
            (folder) => folder && addDroppedFolder(folder),
            (err: unknown) => notify('error', `Could not read the dropped folder: ${(err as Error).message}`),
          )
        }
      >
        <p>{FOLDER_TEXT[kind].drop}</p>
        <button type="button" onClick={() => folderInput.current?.click()} disabled={data.checking}>
          {data.checking ? 'Reading…' : 'Choose a folder…'}
        </button>{' '}
        <button type="button" onClick={() => filesInput.current?.click()} disabled={data.checking}>
          {kind === 'idx' ? 'Choose the files or a zip…' : 'Choose a zip…'}
        </button>
        <input
          ref={folderInput}
          type="file"
          hidden
          data-testid="folder-input"
          aria-label="Dataset folder"
          {...{ webkitdirectory: '' }}
          onChange={(e) => {
            take(e.target.files);
            e.target.value = '';
          }}
        />
        <input
          ref={filesInput}
          type="file"
          hidden
          multiple={kind === 'idx'}
          accept={kind === 'idx' ? undefined : '.zip,application/zip'}
          data-testid="zip-input"
          aria-label={kind === 'idx' ? 'Dataset files or zip' : 'Zip of the dataset folder'}
          onChange={(e) => {
            take(e.target.files);
            e.target.value = '';
          }}
        />
      </DropZone>
    </>
  );
}

/** Which datasets this site serves, so a person knows what choosing one will need. */
function Availability({ data }: { data: DataState }) {
  const known = Object.keys(data.available).length > 0;
  if (!known) return null;
  return (
    <details className="availability" data-testid="dataset-availability">
      <summary>Datasets on this site</summary>
      <ul>
        {listDatasets().map((d) => {
          const here = data.available[d.name] === true;
          return (
            <li key={d.name} data-dataset={d.name} data-available={String(here)}>
              {here ? '✓' : '✗'} <strong>{d.title}</strong>{' '}
              {here ? (
                <span className="muted">served from /data/{d.folder}/</span>
              ) : (
                <span className="muted">
                  not here: <code>npm run data -- --dataset {d.name}</code>
                </span>
              )}
            </li>
          );
        })}
        <li>
          ◦ <strong>Any IDX dataset</strong>, <strong>your own pictures</strong>{' '}
          <span className="muted">choose one as the dataset, then drop its folder here</span>
        </li>
      </ul>
    </details>
  );
}

/** Where files are dropped: highlighted while something is dragged over it. */
function DropZone({ onDrop, children }: { onDrop: (dropped: DataTransfer) => void; children: ReactNode }) {
  const [over, setOver] = useState(false);
  return (
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
        onDrop(e.dataTransfer);
      }}
    >
      {children}
    </div>
  );
}
