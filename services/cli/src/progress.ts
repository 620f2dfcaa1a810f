/**
 * Progress on stderr: a redrawn bar on a TTY, one line per finished unit otherwise
 * (so CI logs and pipes stay readable).
 */
export interface ProgressBar {
  update(done: number, detail?: string): void;
  /** Replaces the detail text, keeping the count (e.g. "evaluating..."). */
  note(detail: string): void;
  finish(detail?: string): void;
}

export function createProgressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = Date.now();
  const tty = Boolean(stream.isTTY);
  let lastLogged = -1;
  let lastDone = 0;
  const render = (done: number, detail: string): string => {
    const width = 24;
    const filled = total > 0 ? Math.max(0, Math.min(width, Math.round((done / total) * width))) : width;
    const elapsed = (Date.now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const etaText = Number.isFinite(eta) ? ` eta ${eta.toFixed(0)}s` : '';
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${elapsed.toFixed(0)}s${etaText} ${detail}`;
  };
  return {
    update(done, detail = '') {
      lastDone = done;
      if (tty) stream.write(`\r\x1b[2K${render(done, detail)}`);
      else if (done !== lastLogged && (done === total || done % Math.max(1, Math.floor(total / 4)) === 0)) {
        lastLogged = done;
        stream.write(`${render(done, detail)}\n`);
      }
    },
    note(detail) {
      if (tty) stream.write(`\r\x1b[2K${render(lastDone, detail)}`);
      else stream.write(`${label} ${detail}\n`);
    },
    finish(detail = '') {
      if (tty) stream.write(`\r\x1b[2K${render(total, detail)}\n`);
      else if (lastLogged !== total) stream.write(`${render(total, detail)}\n`);
    },
  };
}
