/**
 * Settings, from environment variables with embedded defaults, so that
 * `npm start` on a fresh machine needs none. See README "Settings".
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** The project's folder (where package.json is), from source or from dist/. */
export const PACKAGE_ROOT = findPackageRoot(__dirname);

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function int(env: Env, name: string, fallback: number, min = 1, max = 65_535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name}=${raw}: must be a whole number from ${min} to ${max}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}=${env[name]}: must be true or false`);
}

function file(env: Env, name: string, fallback: string): string {
  return path.resolve(env[name] || fallback);
}

export interface TemporalSettings {
  /** host:port of Temporal's frontend. */
  address: string;
  namespace: string;
  taskQueue: string;
  /** TLS to Temporal: off, server-verified, or mutual TLS with a client certificate. */
  tls?: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer }; serverNameOverride?: string };
  apiKey?: string;
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (SMTPS, port 465); false: plain connect, then STARTTLS (required off loopback: activities/mailer.ts). */
  secure: boolean;
  auth?: { user: string; pass: string };
}

/** Where closed cases are kept after Temporal's retention: an SQLite file, or PostgreSQL. */
export type ArchiveSettings = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

function archive(env: Env, dataDir: string): ArchiveSettings {
  const url = env.KSCP_ARCHIVE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\/./.test(url)) throw new ConfigError('KSCP_ARCHIVE_URL: must be a PostgreSQL URL, postgres://user:password@host:5432/database (unset it for the SQLite file in the data folder)');
    return { kind: 'postgres', url };
  }
  return { kind: 'sqlite', file: file(env, 'KSCP_ARCHIVE_FILE', path.join(dataDir, 'archive.db')) };
}

/**
 * Test-only fault injection (KSCP_FAULT_PAUSE_AT): the email activity pauses at this point, so a
 * fault test can kill the worker there. Ignored with NODE_ENV=production.
 */
export const FAULT_POINTS = ['after-claim', 'after-smtp-accepted', 'after-ledger-sent'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

function faultPauseAt(env: Env): FaultPoint | undefined {
  const raw = env.KSCP_FAULT_PAUSE_AT;
  if (!raw || env.NODE_ENV === 'production') return undefined;
  if (!(FAULT_POINTS as readonly string[]).includes(raw)) throw new ConfigError(`KSCP_FAULT_PAUSE_AT=${raw}: must be one of ${FAULT_POINTS.join(', ')} (fault tests only; unset it)`);
  return raw as FaultPoint;
}

/** KSCP_EMAIL_LEDGER=off (fault tests only): no ledger, every attempt sends. Refused in production. */
function emailLedger(env: Env): 'on' | 'off' {
  const raw = env.KSCP_EMAIL_LEDGER?.toLowerCase();
  if (raw === undefined || raw === '' || raw === 'on') return 'on';
  if (raw !== 'off') throw new ConfigError(`KSCP_EMAIL_LEDGER=${env.KSCP_EMAIL_LEDGER}: must be on (the default) or off (fault tests only)`);
  if (env.NODE_ENV === 'production')
    throw new ConfigError('KSCP_EMAIL_LEDGER=off is refused with NODE_ENV=production: without the ledger a retried email is sent twice (the switch exists for the fault tests only); unset it');
  return 'off';
}

export interface Settings {
  temporal: TemporalSettings;
  /** True when TEMPORAL_ADDRESS names an existing server: `npm start` then starts no dev server. */
  externalTemporal: boolean;
  smtp: SmtpSettings;
  /** True when SMTP_HOST names a real mail server: `npm start` then starts no mail catcher. */
  externalSmtp: boolean;
  directoryFile: string;
  calendarFile: string;
  /** The partnership's case reference format (pattern and example): src/referenceFormat.ts. */
  referenceFile: string;
  dataDir: string;
  devServer: { port: number; uiPort: number; retentionDays: number };
  mailCatcher: { smtpPort: number; webPort: number };
  /** `npm run start:cluster`: its PostgreSQL's port and how many workers it runs. */
  cluster: { postgresPort: number; workers: number };
  /** Months a published review stays on the website (the guide: 6; Working Together: at least 12). */
  websiteRetentionMonths: number;
  /** The encryption keys' file (unless KSCP_ENCRYPTION_KEYS gives them). */
  keyFile: string;
  /** The email ledger (in the case archive's database): `off` only for the fault tests (KSCP_EMAIL_LEDGER). */
  emailLedger: 'on' | 'off';
  /** Test only (KSCP_FAULT_PAUSE_AT): where the email activity pauses for a fault test to kill the worker; never in production. */
  faultPauseAt?: FaultPoint;
  /** The durable case archive (SQLite file by default; PostgreSQL with KSCP_ARCHIVE_URL). */
  archive: ArchiveSettings;
  /** The codec server that decrypts for the Web UI and the Go CLI. */
  codec: { port: number; host: string; token?: string; allowedOrigins?: string[] };
  /**
   * The case board (workers/boardServer.ts): where it listens, the address a browser uses for it
   * (its Host and Origin must be that), and the Temporal Web UI's address its case links open.
   */
  board: { port: number; host: string; url?: string; uiUrl?: string };
  /** The worker's health endpoint (/healthz, /readyz); off unless KSCP_HEALTH_PORT is set. */
  health?: { port: number; host: string };
  /** On SIGTERM/SIGINT, how long running activities get to finish before they are cancelled. */
  shutdownGraceSeconds: number;
  /** `bundle`: the file made by `npm run build` (production); undefined: bundle the source at start (development). */
  workflowCode: { bundle: string | undefined };
  /**
   * How many open cases the worker keeps in memory between their tasks (Temporal's sticky cache).
   * A case not kept is replayed from its short history when it next wakes: cheap, as a case wakes
   * a few times a day at most. Each kept case costs about 170 KB of heap (its own copy of the
   * workflow modules it imports, without zod since src/process/inputs.ts; 2.6 MB with zod), and
   * the SDK's default grows with the machine's memory (over 2,000 here).
   */
  maxCachedWorkflows: number;
}

/** TEMPORAL_TLS* and TEMPORAL_API_KEY*: the connection's security, refusing combinations that cannot work. */
export function temporalSecurity(env: Env = process.env): Pick<TemporalSettings, 'tls' | 'apiKey'> {
  const read = (name: string): Buffer | undefined => {
    const p = env[name];
    if (!p) return undefined;
    try {
      return readFileSync(p);
    } catch (err) {
      throw new ConfigError(`${name}=${p}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const pem = (name: string, marker: RegExp, what: string, line: string): Buffer | undefined => {
    const content = read(name);
    if (content && !marker.test(content.toString('latin1'))) throw new ConfigError(`${name}=${env[name]}: not ${what} (expected a PEM file with a "${line}" line)`);
    return content;
  };
  if (env.TEMPORAL_API_KEY && env.TEMPORAL_API_KEY_FILE) throw new ConfigError('TEMPORAL_API_KEY and TEMPORAL_API_KEY_FILE are both set: give the API key one way only');
  const apiKey = env.TEMPORAL_API_KEY_FILE ? read('TEMPORAL_API_KEY_FILE')!.toString('utf8').trim() : env.TEMPORAL_API_KEY?.trim() || undefined;
  if (env.TEMPORAL_API_KEY_FILE && !apiKey) throw new ConfigError(`TEMPORAL_API_KEY_FILE=${env.TEMPORAL_API_KEY_FILE}: the file is empty`);
  const tlsSettings = ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_SERVER_NAME'].filter((n) => env[n]);
  const tlsOn = bool(env, 'TEMPORAL_TLS', tlsSettings.length > 0 || Boolean(apiKey));
  if (!tlsOn && tlsSettings.length)
    throw new ConfigError(`TEMPORAL_TLS=${env.TEMPORAL_TLS} turns TLS off, but ${tlsSettings.join(', ')} ${tlsSettings.length > 1 ? 'are' : 'is'} set: unset TEMPORAL_TLS (or set it to true) to use TLS`);
  if (!tlsOn && apiKey) throw new ConfigError(`TEMPORAL_TLS=${env.TEMPORAL_TLS} turns TLS off, but an API key is set: an API key is only sent over TLS (unset TEMPORAL_TLS)`);
  if (env.TEMPORAL_TLS_CERT && !env.TEMPORAL_TLS_KEY) throw new ConfigError('TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: mutual TLS needs the client certificate and its private key together');
  if (env.TEMPORAL_TLS_KEY && !env.TEMPORAL_TLS_CERT) throw new ConfigError('TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not: mutual TLS needs the client certificate and its private key together');
  const crt = pem('TEMPORAL_TLS_CERT', /-----BEGIN CERTIFICATE-----/, 'a certificate', '-----BEGIN CERTIFICATE-----');
  const key = pem('TEMPORAL_TLS_KEY', /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key', '-----BEGIN PRIVATE KEY-----');
  const ca = pem('TEMPORAL_TLS_CA', /-----BEGIN CERTIFICATE-----/, 'a certificate', '-----BEGIN CERTIFICATE-----');
  return {
    tls: tlsOn
      ? {
          serverRootCACertificate: ca,
          clientCertPair: crt && key ? { crt, key } : undefined,
          serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME || undefined,
        }
      : undefined,
    apiKey,
  };
}

/** The codec server's token (KSCP_CODEC_TOKEN, or the file KSCP_CODEC_TOKEN_FILE names: a Docker secret), long enough to be secret. */
export function codecToken(env: Env = process.env): string | undefined {
  if (env.KSCP_CODEC_TOKEN && env.KSCP_CODEC_TOKEN_FILE) throw new ConfigError('KSCP_CODEC_TOKEN and KSCP_CODEC_TOKEN_FILE are both set: give the codec token one way only');
  let token = env.KSCP_CODEC_TOKEN?.trim();
  const tokenFile = env.KSCP_CODEC_TOKEN_FILE;
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`KSCP_CODEC_TOKEN_FILE=${tokenFile}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (!token) throw new ConfigError(`KSCP_CODEC_TOKEN_FILE=${tokenFile}: the file is empty`);
  }
  if (!token) return undefined;
  const name = tokenFile ? `KSCP_CODEC_TOKEN_FILE=${tokenFile}` : 'KSCP_CODEC_TOKEN';
  if (token.length < 32) throw new ConfigError(`${name}: the token is ${token.length} characters; use at least 32 random ones (for example \`openssl rand -hex 32\`)`);
  if (/\s/.test(token)) throw new ConfigError(`${name}: the token must not contain spaces or line breaks (it is sent as "Authorization: Bearer <token>")`);
  return token;
}

/** An address a browser uses (http or https, no path), without a trailing slash; undefined when unset. */
function webAddress(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${raw}: not a web address: write it as the browser sees it, e.g. https://kscp-board.example.org or http://127.0.0.1:8236`);
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname.replace(/\/+$/, '') !== '' || url.search || url.hash || url.username)
    throw new ConfigError(`${name}=${raw}: must be http:// or https:// with a host (and port), nothing after it, e.g. https://kscp-board.example.org`);
  return url.origin;
}

/** How the worker gets its workflow code: the bundle `npm run build` wrote (production), or bundled from source at start. */
function workflowCode(env: Env): Settings['workflowCode'] {
  if (env.KSCP_WORKFLOW_BUNDLE) return { bundle: path.resolve(env.KSCP_WORKFLOW_BUNDLE) };
  if (env.NODE_ENV === 'production') return { bundle: path.join(PACKAGE_ROOT, 'dist', 'workflow-bundle.js') };
  return { bundle: undefined };
}

export function loadSettings(env: Env = process.env): Settings {
  const { tls, apiKey } = temporalSecurity(env);
  const port = int(env, 'KSCP_TEMPORAL_PORT', 7233);
  const smtpPort = int(env, 'KSCP_MAIL_PORT', 1025);
  const user = env.SMTP_USER;
  return {
    temporal: {
      address: env.TEMPORAL_ADDRESS || `127.0.0.1:${port}`,
      namespace: env.TEMPORAL_NAMESPACE || 'kscp',
      taskQueue: env.KSCP_TASK_QUEUE || 'kscp-incidents',
      tls,
      apiKey,
    },
    externalTemporal: Boolean(env.TEMPORAL_ADDRESS),
    smtp: {
      host: env.SMTP_HOST || '127.0.0.1',
      port: env.SMTP_HOST ? int(env, 'SMTP_PORT', 587) : smtpPort,
      // Implicit TLS on 465 (SMTPS); elsewhere STARTTLS, which the mailer requires of any server off this machine.
      secure: bool(env, 'SMTP_SECURE', env.SMTP_HOST ? int(env, 'SMTP_PORT', 587) === 465 : false),
      auth: user ? { user, pass: env.SMTP_PASS ?? '' } : undefined,
    },
    externalSmtp: Boolean(env.SMTP_HOST),
    directoryFile: file(env, 'KSCP_DIRECTORY_FILE', path.join(PACKAGE_ROOT, 'config', 'directory.json')),
    calendarFile: file(env, 'KSCP_CALENDAR_FILE', path.join(PACKAGE_ROOT, 'config', 'calendar.json')),
    referenceFile: file(env, 'KSCP_REFERENCE_FILE', path.join(PACKAGE_ROOT, 'config', 'reference.json')),
    dataDir: file(env, 'KSCP_DATA_DIR', path.join(PACKAGE_ROOT, 'data')),
    devServer: {
      port,
      uiPort: int(env, 'KSCP_TEMPORAL_UI_PORT', 8233),
      retentionDays: int(env, 'KSCP_RETENTION_DAYS', 2557, 1, 36_500),
    },
    mailCatcher: { smtpPort, webPort: int(env, 'KSCP_MAIL_UI_PORT', 1080) },
    cluster: { postgresPort: int(env, 'KSCP_POSTGRES_PORT', 5433), workers: int(env, 'KSCP_CLUSTER_WORKERS', 2, 1, 8) },
    websiteRetentionMonths: int(env, 'KSCP_WEBSITE_RETENTION_MONTHS', 6, 1, 120),
    maxCachedWorkflows: int(env, 'KSCP_MAX_CACHED_WORKFLOWS', 100, 2, 100_000),
    keyFile: file(env, 'KSCP_KEY_FILE', path.join(file(env, 'KSCP_DATA_DIR', path.join(PACKAGE_ROOT, 'data')), 'keys.json')),
    emailLedger: emailLedger(env),
    faultPauseAt: faultPauseAt(env),
    archive: archive(env, file(env, 'KSCP_DATA_DIR', path.join(PACKAGE_ROOT, 'data'))),
    codec: {
      port: int(env, 'KSCP_CODEC_PORT', 8234),
      host: env.KSCP_CODEC_HOST || '127.0.0.1',
      token: codecToken(env),
      allowedOrigins: env.KSCP_CODEC_ALLOWED_ORIGINS ? env.KSCP_CODEC_ALLOWED_ORIGINS.split(',').map((o) => o.trim()) : undefined,
    },
    board: {
      port: int(env, 'KSCP_BOARD_PORT', 8236),
      host: env.KSCP_BOARD_HOST || '127.0.0.1',
      url: webAddress(env, 'KSCP_BOARD_URL'),
      uiUrl: webAddress(env, 'KSCP_UI_URL'),
    },
    health: env.KSCP_HEALTH_PORT ? { port: int(env, 'KSCP_HEALTH_PORT', 0, 1), host: env.KSCP_HEALTH_HOST || '127.0.0.1' } : undefined,
    shutdownGraceSeconds: int(env, 'KSCP_SHUTDOWN_GRACE_SECONDS', 20, 0, 3_600),
    workflowCode: workflowCode(env),
  };
}
