/** Errors and notes for the person, each dismissible; errors are announced (role="alert"). */
import { dismissNotice } from '../lab';
import { useLab } from '../store';

export function Notices() {
  const notices = useLab((s) => s.notices);
  if (!notices.length) return null;
  return (
    <div className="notices" data-testid="notices">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice ${n.kind}`}
          role={n.kind === 'error' ? 'alert' : 'status'}
          data-testid={`notice-${n.kind}`}
        >
          <span>{n.text}</span>
          <button type="button" className="small" onClick={() => dismissNotice(n.id)} aria-label="Dismiss this message">
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
