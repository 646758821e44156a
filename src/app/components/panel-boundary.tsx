/**
 * One panel that fails to render must not blank the page: each panel sits in a PanelBoundary,
 * which shows what went wrong and what the person can do (try again, export or delete the saved
 * session) while the rest of the lab goes on working. The saved session that could not be read
 * at all is shown by DamagedSession instead.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { download } from '../export';
import { deleteDamagedSession, exportSession, resetLab } from '../lab';
import { useLab } from '../store';

const failedStyle = { borderColor: 'var(--danger)', borderWidth: 2 } as const;

async function saveSessionFile(sessionId: string) {
  const file = await exportSession(sessionId);
  if (file) download(file.filename, new Blob([file.text], { type: 'application/json' }));
}

/** Export and delete buttons for a saved session, as the person's way out of a damaged one. */
function SessionActions({ sessionId, onDelete }: { sessionId: string; onDelete: () => void }) {
  return (
    <div className="card-actions">
      <button
        type="button"
        className="small"
        data-testid="export-session"
        onClick={() => void saveSessionFile(sessionId)}
      >
        Export the saved session (JSON)
      </button>
      <button
        type="button"
        className="small"
        data-testid="delete-session"
        onClick={() => {
          if (confirm(`Delete the saved session ${sessionId} and its results from this browser?`)) onDelete();
        }}
      >
        Delete the saved session
      </button>
    </div>
  );
}

function CurrentSessionActions() {
  const sessionId = useLab((s) => s.sessionId);
  return sessionId ? <SessionActions sessionId={sessionId} onDelete={() => void resetLab()} /> : null;
}

export class PanelBoundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(`EvoLab: the ${this.props.name} panel failed`, error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section
        className="panel"
        style={failedStyle}
        role="alert"
        data-testid="panel-failed"
        data-panel={this.props.name}
      >
        <h2>The {this.props.name} could not be shown</h2>
        <p>{error.message || String(error)}</p>
        <p className="muted">
          The rest of the lab still works. If the saved runs are damaged, export them to keep what they hold, or delete
          them and start again.
        </p>
        <div className="card-actions">
          <button type="button" className="small" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
        <CurrentSessionActions />
      </section>
    );
  }
}

/** The saved session the link names, when it could not be read: kept untouched until the person acts. */
export function DamagedSession() {
  const damaged = useLab((s) => s.damagedSession);
  if (!damaged) return null;
  return (
    <section className="panel" style={failedStyle} role="alert" data-testid="damaged-session">
      <h2>This saved session cannot be opened</h2>
      <p>{damaged.problem}</p>
      <p className="muted">
        Nothing was changed: it stays in this browser until you delete it. Export it to keep its results (or to report
        the problem); the lab below works as a new comparison.
      </p>
      <SessionActions sessionId={damaged.id} onDelete={() => void deleteDamagedSession()} />
    </section>
  );
}
