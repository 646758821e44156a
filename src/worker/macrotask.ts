/**
 * A macrotask boundary: resolves after the messages already queued for this Worker have run.
 * MessageChannel, because nested setTimeout calls are clamped to 4 ms.
 */
export function macrotaskScheduler(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}
