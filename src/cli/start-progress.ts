/** What a starting hub tells the person who started it: a line per stage, then one ready block. */
export interface StartProgress {
  stage(text: string): void;
  ready(info: ReadyInfo): void;
  /** Stops the spinner (if any) before an error is printed. */
  stop(): void;
}

export interface ReadyInfo {
  url: string;
  /** Absolute path of the config file, or undefined for the built-in defaults. */
  configFile: string | undefined;
  dataDir: string;
  /** postgres:// in use instead of PGlite (shown without credentials). */
  database: string;
  /** Set only when this start generated the admin key. */
  generatedAdminKey: string | undefined;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Plain text on stderr, apart from the JSON logs on stdout. On a terminal the current stage spins with
 * its elapsed time and each finished one keeps its duration; elsewhere (CI, a log collector) one line
 * per stage, no control characters.
 */
export function startProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): StartProgress {
  const startedAt = now();
  const tty = stream.isTTY === true;
  let current: { text: string; at: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

  const finishCurrent = (): void => {
    if (!current) return;
    if (timer) clearInterval(timer);
    timer = undefined;
    if (tty) stream.write(`\r\x1b[2K  ✓ ${current.text} (${seconds(now() - current.at)})\n`);
    current = undefined;
  };

  return {
    stage(text) {
      finishCurrent();
      current = { text, at: now() };
      if (!tty) {
        stream.write(`tokenhub: ${text}…\n`);
        return;
      }
      const draw = (): void => {
        if (!current) return;
        stream.write(`\r\x1b[2K  ${SPINNER[frame++ % SPINNER.length]} ${current.text}… ${seconds(now() - current.at)}`);
      };
      draw();
      timer = setInterval(draw, 100);
      timer.unref();
    },
    ready(info) {
      finishCurrent();
      const lines = [
        '',
        `TokenHub is ready at ${info.url} (started in ${seconds(now() - startedAt)})`,
        `  console:   ${info.url}/console (sign in with the admin key below, or create the first owner there)`,
        `  config:    ${info.configFile ?? 'none (built-in defaults; pass --config or create ./tokenhub.yaml)'}`,
        `  data dir:  ${info.dataDir}`,
        `  database:  ${info.database}`,
      ];
      if (info.generatedAdminKey) {
        lines.push(
          `  admin key: ${info.generatedAdminKey}`,
          '             generated now and shown only this once (stored hashed): save it, e.g. export TOKENHUB_ADMIN_KEY=…',
        );
      }
      stream.write(`${lines.join('\n')}\n\n`);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (current && tty) stream.write('\n');
      current = undefined;
    },
  };
}
