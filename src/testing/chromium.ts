/** Debian's Chromium as the browser tests and the bench start it (no sandbox, nothing fetched). */
export const CHROMIUM = process.env.EVOLAB_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
