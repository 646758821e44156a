/**
 * The replay bar (issue 16): play or pause, one generation back or on, a scrubber over the
 * generations and the speed, for the finished runs being replayed; every panel below draws the
 * generation shown. When the runs on the page have finished, it offers to replay them.
 */
import { useShallow } from 'zustand/react/shallow';
import { closeReplay, replayPage, replayPause, replayPlay, replaySeek, replaySpeed } from '../lab';
import { REPLAY_SPEEDS, type ReplayOrigin } from '../replay';
import { isActive } from '../state';
import { useLab } from '../store';

const ORIGIN_TEXT: Record<ReplayOrigin['kind'], string> = {
  recorded: 'recorded runs this site ships',
  file: 'opened from a file',
  session: 'a session saved in this browser',
  page: 'the runs on this page',
};

const speedText = (s: number) => `${s === 0.5 ? '½' : s} generation${s === 1 ? '' : 's'} a second`;

export function ReplayBar() {
  const replay = useLab((s) => s.replay);
  if (!replay) return <ReplayOffer />;
  const { generation, first, last, playing, speed, title, origin } = replay;
  const atEnd = generation >= last;
  return (
    <section className="panel replay-bar" aria-labelledby="replay-title" data-testid="replay-bar">
      <h2 id="replay-title">Replay: {title}</h2>
      <p className="muted">
        Finished runs ({ORIGIN_TEXT[origin.kind]}) shown generation by generation, with nothing trained: every chart,
        heatmap, the mating view and the verdict show the generation below.
      </p>
      <div className="replay-controls">
        <button
          type="button"
          className="primary replay-play"
          data-testid="replay-play"
          onClick={playing ? replayPause : replayPlay}
        >
          {playing ? 'Pause' : atEnd ? 'Replay again' : 'Play'}
        </button>
        <button
          type="button"
          data-testid="replay-back"
          onClick={() => replaySeek(generation - 1)}
          disabled={generation <= first}
        >
          <span aria-hidden="true">◀</span>
          <span className="visually-hidden">One generation back</span>
        </button>
        <button type="button" data-testid="replay-on" onClick={() => replaySeek(generation + 1)} disabled={atEnd}>
          <span aria-hidden="true">▶</span>
          <span className="visually-hidden">One generation on</span>
        </button>
        <div className="replay-scrubber">
          <label htmlFor="replay-generation">Generation</label>
          <input
            id="replay-generation"
            data-testid="replay-scrubber"
            type="range"
            min={first}
            max={last}
            step={1}
            value={generation}
            aria-valuetext={`generation ${generation} of ${last}`}
            onChange={(e) => replaySeek(Number(e.target.value))}
          />
          <output htmlFor="replay-generation" data-testid="replay-generation" data-generation={generation}>
            {generation} of {last}
          </output>
        </div>
        <label className="replay-speed">
          Speed{' '}
          <select data-testid="replay-speed" value={speed} onChange={(e) => replaySpeed(Number(e.target.value))}>
            {REPLAY_SPEEDS.map((s) => (
              <option key={s} value={s}>
                {speedText(s)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="replay-close" onClick={closeReplay}>
          Close the replay
        </button>
      </div>
    </section>
  );
}

/** When every run on the page has finished (and none is going), they can be replayed from the start. */
function ReplayOffer() {
  const { finished, going } = useLab(
    useShallow((s) => ({
      finished: s.runs.filter((r) => r.records.some((x) => x.generation >= 2)).length,
      going: s.runs.some((r) => isActive(r.status)),
    })),
  );
  if (!finished || going) return null;
  return (
    <div className="replay-offer">
      <button type="button" className="small" data-testid="replay-page" onClick={replayPage}>
        Replay these runs from generation 1
      </button>
    </div>
  );
}
