/** Messages shown to the person above the lab; one of each text at a time. */
import type { LabStore, Notify } from './ports';

export function createNotices(store: LabStore): { notify: Notify; dismiss(id: number): void } {
  let lastId = 0;
  return {
    notify(kind, text) {
      store.setState((s) => ({
        notices: [...s.notices.filter((n) => n.text !== text), { id: ++lastId, kind, text }],
      }));
    },
    dismiss(id) {
      store.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },
  };
}
