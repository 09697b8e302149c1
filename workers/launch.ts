/**
 * What `npm start` (workers/start.ts) and `npm run start:cluster` (workers/startCluster.ts) share:
 * the data folder kept to its owner, stopping what an earlier run that was killed outright left
 * behind, the encryption keys (never a new key where cases exist), the codec server with its token,
 * the read-only Web UI server wired to it, the lines that say where everything is, and stopping
 * everything in the reverse order it started, also when Ctrl-C comes in the middle of starting.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureKeyFile, EncryptionCodec, loadKeys } from '../src/codec';
import type { Settings } from '../src/config';
import { recordedCases } from '../src/keyGuard';
import { ensureUiServer, startUiServer, type UiServer } from '../src/toolchain/uiServer';
import { ensureCodecTokenFile, startCodecServer, type CodecServer } from './codecServer';
import type { MailCatcher } from './mailCatcher';

export const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Recorded {
  pid: number;
  /** A piece of its command line: a pid reused by another program since is left alone. */
  match: string;
}

export class Launch {
  private readonly stops: Array<{ what: string; stop: () => Promise<void> }> = [];
  private readonly pids: Record<string, Recorded> = {};
  private readonly pidFile: string;
  private running = false;

  /** `dir` holds the pid file (pids.json) of this run; with `announceStops`, each stop prints a line. */
  constructor(
    dir: string,
    private readonly announceStops = false,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.pidFile = path.join(dir, 'pids.json');
  }

  /** Stop the children of an earlier run that was killed outright, and wait until they are gone. */
  async stopLeftovers(): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const stopped: number[] = [];
    try {
      const pids = JSON.parse(readFileSync(this.pidFile, 'utf8')) as Record<string, Recorded | number>;
      for (const [what, entry] of Object.entries(pids)) {
        // pid files of older versions held only the pid, of a dev server or a mail catcher.
        const { pid, match } = typeof entry === 'number' ? { pid: entry, match: '' } : entry;
        let cmdline = '';
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (match ? cmdline.includes(match) : /temporal|maildev/.test(cmdline)) {
          say(`Stopping the ${what} left running by an earlier start (pid ${pid}).`);
          process.kill(pid, 'SIGTERM');
          stopped.push(pid);
        }
      }
    } catch {
      // An unreadable pid file only means there is nothing we know to stop.
    }
    // Their ports must be free before this run starts its own.
    const until = Date.now() + 20_000;
    while (stopped.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    for (const pid of stopped.filter(alive)) process.kill(pid, 'SIGKILL');
    rmSync(this.pidFile, { force: true });
  }

  /**
   * Register something started: it is stopped before everything started earlier. A child process
   * (`pid`, and `match`, a piece of its command line) is recorded for the next run's stopLeftovers.
   */
  started(what: string, stop: () => Promise<void>, child?: { pid: number | undefined; match: string }): void {
    this.stops.push({ what, stop });
    if (child?.pid !== undefined) this.record(what, child.pid, child.match);
  }

  /** Record (or update, after a restart) a child's pid for the next run's stopLeftovers. */
  record(what: string, pid: number, match: string): void {
    this.pids[what] = { pid, match };
    writeFileSync(this.pidFile, JSON.stringify(this.pids));
  }

  async stopAll(): Promise<void> {
    for (const { what, stop } of this.stops.splice(0).reverse()) {
      await stop().catch((err: Error) => say(`Could not stop the ${what}: ${err.message}`));
      if (this.announceStops) say(`  stopped the ${what}`);
    }
    rmSync(this.pidFile, { force: true });
  }

  /** Until `startedAll()`, Ctrl-C (or SIGTERM) stops what has started so far and exits. */
  guardStart(): void {
    const early = (): void => {
      if (this.running) return;
      say('Interrupted while starting; stopping what had started ...');
      void this.stopAll().finally(() => process.exit(130));
    };
    process.on('SIGINT', early);
    process.on('SIGTERM', early);
  }

  /** Everything is up: from now on the caller handles Ctrl-C. */
  startedAll(): void {
    this.running = true;
  }
}

/**
 * The data folder holds the databases, the logs and the keys: its owner's only, from the first run.
 * `passGroup`: a group allowed to pass through it and nothing more (PostgreSQL's, for start:cluster as root).
 */
export function prepareDataDir(dir: string, passGroup?: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  const passOnly = passGroup !== undefined && st.gid === passGroup && (st.mode & 0o077) === 0o010;
  if (st.mode & 0o077 && !passOnly) {
    say(`Warning: the data folder ${dir} is open to other users of this machine (mode ${(statSync(dir).mode & 0o777).toString(8)}); \`chmod 700 ${dir}\` keeps the case database and logs to you.`);
  }
}

/**
 * The key file, created on a fresh installation only (unless KSCP_ENCRYPTION_KEYS gives the keys):
 * where cases exist (`recordedCases`, and `alsoHolding`: places the caller knows of), a new key
 * would read none of them, and it is refused.
 */
export async function prepareKeys(settings: Settings, alsoHolding: string[] = []): Promise<EncryptionCodec> {
  if (!process.env.KSCP_ENCRYPTION_KEYS && !existsSync(settings.keyFile)) {
    ensureKeyFile(settings.keyFile, [...(await recordedCases(settings)), ...alsoHolding]);
    say(`Created the encryption key file ${settings.keyFile}. Keep it safe and private, and back it up: without it no case details can be read (docs/security.md).`);
  }
  return new EncryptionCodec(loadKeys(settings.keyFile));
}

/** The codec server's token: KSCP_CODEC_TOKEN(_FILE), or data/codec-token, made on the first run; and how a shell gives it. */
function codecToken(settings: Settings): { token: string; shell: string } {
  if (settings.codec.token) {
    const shell = process.env.KSCP_CODEC_TOKEN_FILE ? `$(cat ${process.env.KSCP_CODEC_TOKEN_FILE})` : '$KSCP_CODEC_TOKEN';
    return { token: settings.codec.token, shell };
  }
  const file = path.join(settings.dataDir, 'codec-token');
  const { token, created } = ensureCodecTokenFile(file);
  if (created) say(`Created the codec server's token in ${file} (readable by you only): the Go CLI sends it to read decrypted case details.`);
  return { token, shell: `$(cat ${file})` };
}

export interface CodecForUi {
  server: CodecServer;
  /** How the Go CLI's `--codec-auth` is given in a shell. */
  cliAuth: string;
}

/** The codec server, answering the Web UI on `uiPort` (or the origins KSCP_CODEC_ALLOWED_ORIGINS names) and clients with its token. */
export async function startCodecForUi(settings: Settings, codec: EncryptionCodec, launch: Launch): Promise<CodecForUi> {
  const ui = settings.devServer.uiPort;
  const { token, shell } = codecToken(settings);
  const server = await startCodecServer({
    codec,
    port: settings.codec.port,
    host: settings.codec.host,
    allowedOrigins: settings.codec.allowedOrigins ?? [`http://127.0.0.1:${ui}`, `http://localhost:${ui}`],
    token,
    log: (line) => process.stderr.write(`codec server: ${line}\n`),
  });
  launch.started('codec server', server.close);
  return { server, cliAuth: shell };
}

/**
 * The standalone Web UI server on KSCP_TEMPORAL_UI_PORT in front of `temporalAddress`, read-only (no
 * start, signal, reset or terminate from the UI: every change goes through `kscp`), decrypting
 * through the codec server. The dev server's own UI cannot switch off write actions; this one can
 * (src/toolchain/uiServer.ts). Its settings and log go in `dir`.
 */
export async function startReadOnlyUi(settings: Settings, temporalAddress: string, codecUrl: string, dir: string, launch: Launch): Promise<UiServer> {
  const binary = await ensureUiServer(say);
  const ui = await startUiServer({
    binary: binary.path,
    configRoot: path.join(dir, 'ui'),
    logFile: path.join(dir, 'temporal-ui.log'),
    temporalAddress,
    host: '127.0.0.1',
    port: settings.devServer.uiPort,
    defaultNamespace: settings.temporal.namespace,
    codec: { endpoint: codecUrl },
    writeActions: false,
  });
  // Its command line names its settings folder, which no other program's does.
  launch.started('Temporal Web UI server', ui.stop, { pid: ui.process.pid, match: path.join(dir, 'ui') });
  return ui;
}

/** The lines that say where the UI, the case board, the codec server (and the Go CLI's way to it) and the email are. */
export function accessLines(settings: Settings, temporalAddress: string, parts: { ui?: UiServer; codec?: CodecForUi; mail?: MailCatcher; board?: { url: string } }): string[] {
  const { namespace } = settings.temporal;
  const lines: string[] = [];
  const { ui, codec, mail, board } = parts;
  if (ui) lines.push(`  Temporal Web UI (cases):   ${ui.url}/namespaces/${namespace}/workflows   (read-only: record steps with kscp)`);
  if (board) lines.push(`  Case board (managers):     ${board.url}/   (open cases, this week; each case links to the Web UI)`);
  if (codec) {
    lines.push(`  Codec server (decrypts case details for the Web UI): ${codec.server.url}`);
    lines.push(
      `  Go CLI, decrypted:         temporal workflow show --detailed --address ${temporalAddress} --namespace ${namespace} --workflow-id incident-<ref> ` +
        `--codec-endpoint ${codec.server.url} --codec-auth "Bearer ${codec.cliAuth}"`,
    );
  }
  if (mail) lines.push(`  Mail catcher (reminders):  ${mail.webUrl}   (SMTP on 127.0.0.1:${settings.mailCatcher.smtpPort})`);
  else lines.push(`  Email goes to:             ${settings.smtp.host}:${settings.smtp.port}`);
  return lines;
}
