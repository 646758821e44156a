/** The setup lives in the page's address (url.ts encodes it), so a link reproduces a comparison. */
import { setupToQuery } from '../url';
import type { LabDeps } from './ports';

/** Rewrites the address at most once per this many ms (a slider being dragged). */
export const ADDRESS_DELAY_MS = 120;

export function createAddress({ store, location, history }: Pick<LabDeps, 'store' | 'location' | 'history'>) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    /** Schedules writing the current setup and session into the address, replacing the history entry. */
    write(): void {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const { setup, sessionId, damagedSession, view, replay } = store.getState();
        // A replay of a recorded comparison is a link of its own; other replays leave the address as it was.
        if (replay && replay.origin.kind !== 'recorded') return;
        // A damaged session keeps its place in the link until it is deleted (it is not this session).
        const session =
          replay?.origin.kind === 'recorded'
            ? `replay=${encodeURIComponent(replay.origin.id)}`
            : setupToQuery(setup, sessionId ?? damagedSession?.id ?? null);
        const query = [session, view.present ? 'present=1' : ''].filter(Boolean).join('&');
        const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
        if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
      }, ADDRESS_DELAY_MS);
    },
  };
}
