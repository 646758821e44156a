/** The controls panel: the setup form, bound to the lab's store. */
import { openRecorded, setupLocked, updateSetup } from '../lab';
import { useLab } from '../store';
import { SetupContext } from './setting-field';
import { SetupForm } from './setup-form';

export function Controls() {
  const setup = useLab((s) => s.setup);
  const locked = useLab((s) => setupLocked(s));
  const shipped = useLab((s) => s.shippedAncestor);
  const meta = useLab((s) => s.shippedMeta);
  const running = useLab((s) =>
    s.runs.some((r) => r.status === 'running' || r.status === 'paused' || r.status === 'stopping'),
  );
  return (
    <SetupContext.Provider
      value={{ setup, update: updateSetup, locked, running, replayRecorded: (id) => void openRecorded(id) }}
    >
      <SetupForm shipped={shipped} meta={meta} />
    </SetupContext.Provider>
  );
}
