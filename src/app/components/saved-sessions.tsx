/**
 * "Saved sessions": what this browser's IndexedDB holds (name, date, dataset, generations, size)
 * and the storage used; each session can be opened again (to resume it), replayed, renamed,
 * exported or deleted, and the old ones removed at once.
 */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { download } from '../export';
import {
  deleteSessions,
  exportSession,
  openSession,
  renameSession,
  replaySession,
  sessionsOlderThan,
  showPanel,
} from '../lab';
import { useLab, type SessionSummary } from '../store';

const DATASET_NAMES: Record<string, string> = { mnist: 'MNIST', cifar10: 'CIFAR-10' };
const DAY_MS = 24 * 3600 * 1000;

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

const when = (iso: string) => (iso ? new Date(iso).toLocaleString() : 'unknown');

async function saveFile(id: string) {
  const file = await exportSession(id);
  if (file) download(file.filename, new Blob([file.text], { type: 'application/json' }));
}

export function SavedSessionsPanel() {
  const { shown, saved, own } = useLab(
    useShallow((s) => ({ shown: s.view.panel === 'saved', saved: s.saved, own: s.sessionId })),
  );
  const heading = useRef<HTMLHeadingElement>(null);
  const [olderThan, setOlderThan] = useState('30');
  // "Now" as of opening the page: ages are counted from it (a render must not read the clock).
  const [now] = useState(() => Date.now());
  useEffect(() => {
    if (shown) heading.current?.focus();
  }, [shown]);
  if (!shown) return null;
  const old = sessionsOlderThan(new Date(now - Number(olderThan) * DAY_MS).toISOString());
  return (
    <section className="panel tool-panel" aria-labelledby="saved-title" data-testid="saved-sessions">
      <div className="section-head">
        <h2 id="saved-title" ref={heading} tabIndex={-1}>
          Saved sessions
        </h2>
        <button type="button" className="small" data-testid="saved-close" onClick={() => showPanel(null)}>
          Close
        </button>
      </div>
      <p className="muted" data-testid="storage-used">
        {saved.usage
          ? `This site uses ${formatBytes(saved.usage.used)} of this browser’s storage (of ${formatBytes(saved.usage.quota)} it may use).`
          : 'This browser does not say how much storage this site uses.'}
      </p>
      {saved.error ? (
        <p role="alert" className="error">
          {saved.error}
        </p>
      ) : null}
      {saved.status === 'loading' && !saved.sessions.length ? <p className="muted">Reading them…</p> : null}
      {saved.status === 'ready' && !saved.sessions.length ? (
        <p data-testid="saved-empty">No session is saved in this browser yet: runs are saved as they go.</p>
      ) : null}
      {saved.sessions.length ? (
        <div className="saved-scroll" tabIndex={0} role="region" aria-label="The saved sessions, in a table">
          <table className="saved-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Saved</th>
                <th scope="col">Dataset</th>
                <th scope="col">Generations</th>
                <th scope="col">Size</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {saved.sessions.map((s) => (
                <SessionRow key={s.id} session={s} own={s.id === own} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {saved.sessions.length ? (
        <div className="card-actions">
          <label>
            Sessions saved more than{' '}
            <select data-testid="older-than" value={olderThan} onChange={(e) => setOlderThan(e.target.value)}>
              <option value="1">a day</option>
              <option value="7">a week</option>
              <option value="30">a month</option>
              <option value="365">a year</option>
            </select>{' '}
            ago: {old.length}
          </label>
          <button
            type="button"
            className="small"
            data-testid="delete-old"
            disabled={!old.length}
            onClick={() => {
              if (confirm(`Delete ${old.length} saved session${old.length === 1 ? '' : 's'} from this browser?`))
                void deleteSessions(old);
            }}
          >
            Delete them
          </button>
        </div>
      ) : null}
    </section>
  );
}

function SessionRow({ session: s, own }: { session: SessionSummary; own: boolean }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(s.name ?? '');
  const title = s.name ?? `Session ${s.id}`;
  return (
    <tr data-testid="saved-session" data-session-id={s.id}>
      <td>
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void renameSession(s.id, name).then((ok) => ok && setEditing(false));
            }}
          >
            <input
              aria-label={`New name for ${title}`}
              data-testid="session-name-input"
              value={name}
              maxLength={120}
              onChange={(e) => setName(e.target.value)}
            />
            <button type="submit" className="small" data-testid="session-name-save">
              Save
            </button>
          </form>
        ) : (
          <span data-testid="session-name">{title}</span>
        )}
        {own ? <span className="muted"> (on this page)</span> : null}
        {s.problem ? (
          <p className="error" data-testid="session-problem">
            {s.problem}
          </p>
        ) : null}
      </td>
      <td>{when(s.savedAt)}</td>
      <td>{s.dataset ? (DATASET_NAMES[s.dataset] ?? s.dataset) : '?'}</td>
      <td data-testid="session-generations">{s.generations}</td>
      <td>{s.bytes === null ? '…' : formatBytes(s.bytes)}</td>
      <td className="session-actions">
        <button
          type="button"
          className="small"
          disabled={!!s.problem}
          aria-label={`Open ${title}`}
          data-testid="session-open"
          onClick={() => void openSession(s.id)}
        >
          Open
        </button>
        <button
          type="button"
          className="small"
          disabled={!!s.problem || s.generations < 1}
          aria-label={`Replay ${title}`}
          data-testid="session-replay"
          onClick={() => void replaySession(s.id)}
        >
          Replay
        </button>
        <button
          type="button"
          className="small"
          disabled={!!s.problem}
          aria-label={`Rename ${title}`}
          data-testid="session-rename"
          onClick={() => setEditing((e) => !e)}
        >
          Rename
        </button>
        <button
          type="button"
          className="small"
          aria-label={`Export ${title} (JSON)`}
          data-testid="session-export"
          onClick={() => void saveFile(s.id)}
        >
          Export
        </button>
        <button
          type="button"
          className="small"
          aria-label={`Delete ${title}`}
          data-testid="session-delete"
          onClick={() => {
            if (confirm(`Delete ${title} and its results from this browser?`)) void deleteSessions([s.id]);
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}
