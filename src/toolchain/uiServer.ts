/**
 * The standalone Temporal Web UI server (temporalio/ui-server), which, unlike the UI embedded in
 * the dev server, can switch off the UI's write actions (start, signal, update, reset, terminate,
 * cancel, batch): `npm start` runs the dev server `--headless` with this UI in front of it.
 *
 * Found, in order: TEMPORAL_UI_SERVER_PATH; this project's cache; else built from Go modules
 * (`go install github.com/temporalio/ui-server/v2/cmd/server@v2.42.1`, TOOLCHAIN.md) into the
 * cache. v2.42.1 is the UI the Temporal CLI v1.5.1 embeds and the `temporalio/ui` image of
 * docker-compose.yml. Its settings are a YAML file (`uiServerConfig` below; the keys are those of
 * its server/config/config.go), the same ones the image takes as TEMPORAL_* variables.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { available, runWithProgress } from './run';
import { cacheDir, formatDuration, ToolchainError, type Log } from './paths';

export const UI_SERVER_VERSION = '2.42.1';
const MODULE = 'github.com/temporalio/ui-server/v2/cmd/server';

export interface ResolvedUiServer {
  path: string;
  how: string;
}

function isUiServer(file: string): boolean {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.error === undefined && r.status === 0 && /temporal ui/i.test(r.stdout);
}

function cachedPath(env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), `temporal-ui-server-${UI_SERVER_VERSION}`, 'temporal-ui-server');
}

/** Find the UI server without building anything; undefined if there is none yet. */
export function findUiServer(env: NodeJS.ProcessEnv = process.env): ResolvedUiServer | undefined {
  const named = env.TEMPORAL_UI_SERVER_PATH;
  if (named) {
    if (!isUiServer(named)) throw new ToolchainError(`TEMPORAL_UI_SERVER_PATH=${named} is not a working Temporal UI server (\`${named} --version\` failed)`);
    return { path: named, how: 'TEMPORAL_UI_SERVER_PATH' };
  }
  const cached = cachedPath(env);
  if (existsSync(cached)) return { path: cached, how: 'cached build' };
  return undefined;
}

/** Find the UI server, building it from Go modules the first time (about 1-2 minutes with a warm Go cache). */
export async function ensureUiServer(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedUiServer> {
  const found = findUiServer(env);
  if (found) return found;
  if (!available('go')) {
    throw new ToolchainError(
      'Cannot run the Temporal Web UI: there is no UI server (set TEMPORAL_UI_SERVER_PATH) and no Go toolchain to build it from Go modules (install Go 1.22 or newer).',
    );
  }
  const target = cachedPath(env);
  const dir = path.dirname(target);
  const staging = `${dir}.building-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  log(`Building the Temporal UI server v${UI_SERVER_VERSION} from Go modules into ${dir}`);
  log('  (first time only: a few minutes on 2 cores; later runs use the cache)');
  const started = Date.now();
  const result = await runWithProgress('go', ['install', `${MODULE}@v${UI_SERVER_VERSION}`], {
    env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
    log,
    what: `building the Temporal UI server v${UI_SERVER_VERSION}`,
  });
  if (!result.ok || !existsSync(path.join(staging, 'server'))) {
    rmSync(staging, { recursive: true, force: true });
    const goEnv = spawnSync('go', ['env', 'GOPROXY', 'GOSUMDB', 'GOFLAGS'], { encoding: 'utf8' }).stdout.trim().replace(/\n/g, ' ');
    throw new ToolchainError(
      `Cannot build the Temporal UI server v${UI_SERVER_VERSION} from Go modules (go env GOPROXY GOSUMDB GOFLAGS = ${goEnv}). Last lines:\n${result.output.trim().split('\n').slice(-15).join('\n')}`,
    );
  }
  renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-ui-server'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`Built the Temporal UI server v${UI_SERVER_VERSION} in ${formatDuration(Date.now() - started)}.`);
  return { path: target, how: `built v${UI_SERVER_VERSION}` };
}

// Running it ---------------------------------------------------------------------------------

export interface UiServerSettings {
  /** host:port of Temporal's frontend (gRPC). */
  temporalAddress: string;
  /** Where the UI listens (the dev server's UI used 127.0.0.1:8233). */
  host: string;
  port: number;
  defaultNamespace: string;
  /** The codec server the browser calls to decrypt, and whether the browser sends its cookies with it. */
  codec?: { endpoint: string; includeCredentials?: boolean };
  /**
   * False (the product's setting): no start, signal, update, reset, terminate, cancel, batch or
   * activity command from the UI, and the UI server refuses such calls itself (405), so every
   * change to a case goes through `kscp` and its checks. True only to show what the switch does.
   */
  writeActions: boolean;
}

/**
 * Every switch for the UI's write actions: the UI server's YAML key (server/config/config.go) and the
 * `temporalio/ui` image's variable for it (its config/docker.yaml). docker-compose.yml sets the same
 * ones (test/integration/docker-compose.test.ts holds it to this list).
 */
export const WRITE_ACTION_SWITCHES = [
  ['disableWriteActions', 'TEMPORAL_DISABLE_WRITE_ACTIONS'],
  ['startWorkflowDisabled', 'TEMPORAL_START_WORKFLOW_DISABLED'],
  ['workflowSignalDisabled', 'TEMPORAL_WORKFLOW_SIGNAL_DISABLED'],
  ['workflowUpdateDisabled', 'TEMPORAL_WORKFLOW_UPDATE_DISABLED'],
  ['workflowResetDisabled', 'TEMPORAL_WORKFLOW_RESET_DISABLED'],
  ['workflowTerminateDisabled', 'TEMPORAL_WORKFLOW_TERMINATE_DISABLED'],
  ['workflowCancelDisabled', 'TEMPORAL_WORKFLOW_CANCEL_DISABLED'],
  ['batchActionsDisabled', 'TEMPORAL_BATCH_ACTIONS_DISABLED'],
  ['activityCommandsDisabled', 'TEMPORAL_ACTIVITY_COMMANDS_DISABLED'],
] as const;

/** The UI server's YAML settings (plain `key: value` lines; JSON strings are valid YAML scalars). */
export function uiServerConfig(s: UiServerSettings): string {
  const settings: Record<string, string | number | boolean> = {
    temporalGrpcAddress: s.temporalAddress,
    host: s.host,
    port: s.port,
    enableUi: true,
    defaultNamespace: s.defaultNamespace,
    showTemporalSystemNamespace: false,
    notifyOnNewVersion: false,
    refreshInterval: '0s',
    ...Object.fromEntries(WRITE_ACTION_SWITCHES.map(([key]) => [key, !s.writeActions])),
    hideLogs: true,
  };
  const lines = Object.entries(settings).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  lines.push('cors:', '  cookieInsecure: true', '  unsafeAllowAllOrigins: false', '  allowOrigins:', `    - ${JSON.stringify(`http://${s.host}:${s.port}`)}`);
  lines.push('auth:', '  enabled: false');
  if (s.codec) {
    lines.push('codec:', `  endpoint: ${JSON.stringify(s.codec.endpoint)}`, '  passAccessToken: false', `  includeCredentials: ${s.codec.includeCredentials === true}`);
  }
  return `# Written by kscp (src/toolchain/uiServer.ts) at each start; edits are overwritten.\n${lines.join('\n')}\n`;
}

export interface UiServerOptions extends UiServerSettings {
  binary: string;
  /** A folder for its settings (config/development.yaml is written there). */
  configRoot: string;
  logFile: string;
  /** Seconds to wait for it to answer. */
  readyWithin?: number;
}

export interface UiServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
  });
}

/** Write its settings, start it in its own process group, and wait until it answers. */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const configDir = path.join(opts.configRoot, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, 'development.yaml'), uiServerConfig(opts), { mode: 0o600 });
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = openSync(opts.logFile, 'a');
  const child = spawn(opts.binary, ['--root', opts.configRoot, '--config', 'config', '--env', 'development', 'start'], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = signal ?? String(code);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(killer);
  };
  const url = `http://${opts.host}:${opts.port}`;
  const deadline = Date.now() + (opts.readyWithin ?? 30) * 1000;
  for (;;) {
    if (exited !== undefined) throw new ToolchainError(`the Temporal UI server stopped at start (exit ${exited}); its log (${opts.logFile}) ends:\n${tail(opts.logFile)}`);
    if (await answers(opts.host, opts.port)) {
      try {
        if ((await fetch(`${url}/api/v1/settings`)).ok) break;
      } catch {
        // Not serving yet.
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new ToolchainError(`the Temporal UI server did not answer on ${url} within ${opts.readyWithin ?? 30}s; its log ends:\n${tail(opts.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, process: child, stop };
}
