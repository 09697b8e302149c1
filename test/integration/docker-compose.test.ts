/**
 * docker-compose.yml, checked the ways possible without a Docker engine: the Debian
 * `docker-compose config -q` accepts it with the required settings and refuses it, naming the
 * setting, without each; the resolved file has the services, pinned images, start order, secrets
 * and health checks docs/deployment.md describes; its server version, server settings and setup
 * jobs are those of src/toolchain/deployment.ts, which `npm run start:cluster` runs for real
 * (test/integration/cluster.test.ts); and the two one-shot setup scripts (deploy/) are run here as
 * the compose file mounts them, with stand-ins for temporal-sql-tool and the temporal CLI that
 * record what they are asked to do.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/process/searchAttributes';
import { loadSettings } from '../../src/config';
import {
  archiveUrl,
  namespaceJobEnvironment,
  schemaJobEnvironment,
  temporalServerEnvironment,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  type Database,
} from '../../src/toolchain/deployment';
import { findDockerCompose } from '../../src/toolchain/dockerCompose';
import { WRITE_ACTION_SWITCHES } from '../../src/toolchain/uiServer';
import { REPO_ROOT, SHIPPED_DIRECTORY } from '../helpers/fixtures';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-compose-'));
const KEY_FILE = path.join(tmp, 'keys.json');
writeFileSync(KEY_FILE, '{}\n');
const CODEC_TOKEN_FILE = path.join(tmp, 'codec-token');
writeFileSync(CODEC_TOKEN_FILE, 'fictional-codec-token-for-the-compose-test\n');

const REQUIRED: Record<string, string> = {
  POSTGRES_PASSWORD: 'fictional-password',
  SMTP_HOST: 'mail.example.org',
  KSCP_DEPLOY_KEY_FILE: KEY_FILE,
  KSCP_DEPLOY_CODEC_TOKEN_FILE: CODEC_TOKEN_FILE,
  KSCP_DEPLOY_DIRECTORY_FILE: SHIPPED_DIRECTORY,
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** docker-compose with only PATH and the given settings, so the developer's environment cannot help. */
function compose(args: string[], env: Record<string, string>): Promise<Run> {
  const binary = findDockerCompose();
  if (!binary) throw new Error('no docker-compose: run `npm run toolchain -- ensure` (npm test does it first) or install the Debian package docker-compose');
  return new Promise((resolve) => {
    execFile(binary, ['-f', 'docker-compose.yml', ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function sh(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], { env: { PATH: `${env.STUBS}:${process.env.PATH}`, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  secrets?: Array<string | { source: string }>;
  volumes?: Array<string | { source?: string; target: string }>;
  ports?: Array<string | { published: string | number; target: number; host_ip?: string }>;
  stop_grace_period?: string;
  user?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
}

describe('docker-compose config -q', () => {
  it('accepts the file with the required settings', async () => {
    const run = await compose(['config', '-q'], REQUIRED);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it.each([
    ['POSTGRES_PASSWORD', "set POSTGRES_PASSWORD to a long random password for Temporal's database"],
    ['SMTP_HOST', "set SMTP_HOST to the partnership's mail server"],
    ['KSCP_DEPLOY_KEY_FILE', 'set KSCP_DEPLOY_KEY_FILE to the encryption key file'],
    ['KSCP_DEPLOY_CODEC_TOKEN_FILE', "set KSCP_DEPLOY_CODEC_TOKEN_FILE to a file holding the codec server's token"],
    ['KSCP_DEPLOY_DIRECTORY_FILE', "set KSCP_DEPLOY_DIRECTORY_FILE to the partnership's directory file"],
  ])('refuses it without %s, saying what to set', async (name, message) => {
    const env = { ...REQUIRED };
    delete env[name];
    const run = await compose(['config', '-q'], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(message);
  });
});

describe('the resolved deployment', () => {
  let file: ComposeFile;
  beforeAll(async () => {
    const run = await compose(['config'], { ...REQUIRED, KSCP_UI_URL: 'https://temporal.kscp.example.org', KSCP_CODEC_URL: 'https://codec.kscp.example.org' });
    expect(run.code).toBe(0);
    file = load(run.stdout) as ComposeFile;
  });
  const svc = (name: string): Service => file.services[name]!;
  /** The script a one-shot job runs: its entrypoint is `/bin/sh <file>`, the file mounted from deploy/. */
  const script = (name: string): string => {
    const entrypoint = (svc(name) as { entrypoint?: string[] }).entrypoint ?? [];
    expect(entrypoint).toHaveLength(2);
    expect(entrypoint[0]).toBe('/bin/sh');
    const mount = (svc(name).volumes ?? []).find((v) => (typeof v === 'string' ? v.split(':')[1] : v.target) === entrypoint[1]);
    const source = typeof mount === 'string' ? mount.split(':')[0]! : mount?.source;
    expect(source).toBe(path.join(REPO_ROOT, 'deploy', `${name}.sh`));
    return readFileSync(source!, 'utf8');
  };
  /** The database as the compose file's services reach it. */
  const composeDb = (): Database => ({ host: 'postgresql', port: 5432, password: REQUIRED.POSTGRES_PASSWORD! });

  it('has the database, the schema and namespace setup, Temporal, its UI, the codec server and the worker', () => {
    expect(Object.keys(file.services).sort()).toEqual(['codec', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker']);
  });

  it('pins every image it pulls to a version, uses the Temporal version of start:cluster for server and admin tools, and not the deprecated auto-setup', () => {
    const pulled = Object.entries(file.services).filter(([, s]) => !s.build);
    for (const [name, s] of pulled) expect([name, s.image]).toEqual([name, expect.stringMatching(/^[a-z0-9./-]+:\d+(\.\d+)+$/)]);
    expect(JSON.stringify(file)).not.toContain('auto-setup');
    expect(svc('temporal').image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(svc('temporal-schema').image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(svc('temporal-setup').image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(svc('postgresql').image).toMatch(/^postgres:/);
    expect(svc('temporal-ui').image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION}`);
  });

  it('runs the server and its setup jobs with the settings start:cluster uses (src/toolchain/deployment.ts), here pointed at the postgresql service', () => {
    expect(svc('temporal').environment).toEqual(temporalServerEnvironment(composeDb(), '0.0.0.0'));
    expect(svc('temporal-schema').environment).toEqual(schemaJobEnvironment(composeDb(), '/etc/temporal/schema/postgresql/v12'));
    expect(svc('temporal-setup').environment).toEqual(namespaceJobEnvironment('temporal:7233', 'kscp', loadSettings({}).devServer.retentionDays));
    expect(svc('worker').environment?.KSCP_ARCHIVE_URL).toBe(archiveUrl(composeDb()));
    expect(svc('postgresql').environment?.POSTGRES_USER).toBe(temporalServerEnvironment(composeDb(), '').POSTGRES_USER);
  });

  it('starts in order: database healthy, schemas done, Temporal healthy, namespace set up, then the worker', () => {
    expect(svc('temporal-schema').depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(svc('temporal').depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(svc('temporal-setup').depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(svc('worker').depends_on).toEqual({ 'temporal-setup': { condition: 'service_completed_successfully' } });
  });

  it('builds the worker and the codec server from this repository, production mode, the keys and the codec token as secrets', () => {
    const secrets = (name: string) => [svc(name).secrets].flat().map((s) => (typeof s === 'string' ? s : s?.source));
    for (const name of ['worker', 'codec']) {
      expect(svc(name).build).toBeDefined();
      expect(svc(name).environment?.KSCP_KEY_FILE).toBe('/run/secrets/kscp-keys');
    }
    expect(secrets('worker')).toEqual(['kscp-keys']);
    expect(secrets('codec')).toEqual(['kscp-keys', 'kscp-codec-token']);
    expect(svc('codec').environment?.KSCP_CODEC_TOKEN_FILE).toBe('/run/secrets/kscp-codec-token');
    // The token is a secret file, never a value in the environment (which `docker inspect` shows).
    expect(svc('codec').environment?.KSCP_CODEC_TOKEN).toBeUndefined();
    expect(file.secrets['kscp-keys']!.file).toBe(KEY_FILE);
    expect(file.secrets['kscp-codec-token']!.file).toBe(CODEC_TOKEN_FILE);
    expect(svc('worker').environment).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'kscp', SMTP_HOST: 'mail.example.org', SMTP_PORT: '587' });
    expect(svc('codec').command).toEqual(['node', 'dist/workers/codec.js']);
  });

  it("runs the UI read-only: every write action that would bypass kscp's checks switched off", () => {
    const ui = svc('temporal-ui').environment!;
    // The same switches as npm start's UI server (src/toolchain/uiServer.ts).
    for (const [, variable] of WRITE_ACTION_SWITCHES) expect([variable, ui[variable]]).toEqual([variable, 'true']);
  });

  it('wires the UI to the codec server, and the codec server to the UI origin only', () => {
    expect(svc('temporal-ui').environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_CODEC_ENDPOINT: 'https://codec.kscp.example.org', TEMPORAL_DEFAULT_NAMESPACE: 'kscp' });
    expect(svc('codec').environment).toMatchObject({ KSCP_CODEC_ALLOWED_ORIGINS: 'https://temporal.kscp.example.org', KSCP_CODEC_HOST: '0.0.0.0', KSCP_CODEC_PORT: '8234' });
  });

  it("checks health: the worker's /readyz on its health port, the codec server's /healthz, Temporal's port, PostgreSQL", () => {
    const worker = svc('worker');
    expect(worker.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${worker.environment?.KSCP_HEALTH_PORT}/readyz`);
    expect(worker.environment?.KSCP_HEALTH_HOST).toBe('0.0.0.0');
    expect(svc('codec').healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${svc('codec').environment?.KSCP_CODEC_PORT}/healthz`);
    expect(svc('temporal').healthcheck?.test).toEqual(['CMD', 'nc', '-z', 'localhost', '7233']);
    expect(svc('postgresql').healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('gives running activities time to finish on stop: the stop grace period is longer than the worker drain time', () => {
    const toSeconds = (d: string): number => [...d.matchAll(/(\d+)(h|m|s)/g)].reduce((t, [, n, u]) => t + Number(n) * { h: 3600, m: 60, s: 1 }[u as 'h' | 'm' | 's'], 0);
    expect(toSeconds(svc('worker').stop_grace_period!)).toBeGreaterThan(Number(svc('worker').environment?.KSCP_SHUTDOWN_GRACE_SECONDS));
  });

  it('publishes ports on 127.0.0.1 unless told otherwise', () => {
    const published = Object.values(file.services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    for (const p of published) expect(typeof p === 'string' ? p : p.host_ip).toMatch(/^127\.0\.0\.1/);
  });

  /** Run the schema job's script against a stand-in temporal-sql-tool that fails the calls matching `failOn`. */
  async function schemaJob(failOn?: string): Promise<{ run: Awaited<ReturnType<typeof sh>>; calls: string[] }> {
    const stubs = mkdtempSync(path.join(tmp, 'stubs-'));
    const log = path.join(stubs, 'calls.log');
    const fail = failOn ? `case "$*" in *${failOn}*) echo "stand-in: $*: already exists" >&2; exit 1 ;; esac\n` : '';
    writeFileSync(path.join(stubs, 'temporal-sql-tool'), `#!/bin/sh\necho "$SQL_PLUGIN $SQL_USER@$SQL_HOST:$SQL_PORT $*" >> ${log}\n${fail}`);
    chmodSync(path.join(stubs, 'temporal-sql-tool'), 0o755);
    const run = await sh(script('temporal-schema'), { STUBS: stubs, ...svc('temporal-schema').environment });
    return { run, calls: readFileSync(log, 'utf8').trim().split('\n') };
  }
  const sql = 'postgres12 temporal@postgresql:5432';
  const allCalls = [
    `${sql} --db temporal create-database`,
    `${sql} --db temporal setup-schema -v 0.0`,
    `${sql} --db temporal update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned`,
    `${sql} --db temporal_visibility create-database`,
    `${sql} --db temporal_visibility setup-schema -v 0.0`,
    `${sql} --db temporal_visibility update-schema -d /etc/temporal/schema/postgresql/v12/visibility/versioned`,
    `${sql} --db kscp_archive create-database`,
  ];

  it("the schema job creates, sets up and updates both of Temporal's databases, and creates the case archive's", async () => {
    const { run, calls } = await schemaJob();
    expect(run).toMatchObject({ code: 0, stdout: 'Temporal schemas are up to date.\n' });
    expect(calls).toEqual(allCalls);
    expect(svc('temporal-schema').environment?.SQL_PASSWORD).toBe(REQUIRED.POSTGRES_PASSWORD);
  });

  it('run again on existing databases (create and setup refused), the schema job still applies the updates and succeeds', async () => {
    const { run, calls } = await schemaJob('-database');
    expect(run.code).toBe(0);
    expect(calls).toEqual(allCalls);
    const again = await schemaJob('setup-schema');
    expect(again.run.code).toBe(0);
    expect(again.calls).toEqual(allCalls);
  });

  it('fails (and so holds the server back) when a schema update fails', async () => {
    const { run, calls } = await schemaJob('update-schema');
    expect(run.code).not.toBe(0);
    expect(calls).toEqual(allCalls.slice(0, 3));
  });

  it("the namespace job creates the namespace with 7 years' retention and every search attribute of src/process/searchAttributes.ts; run again, it changes nothing but the retention", async () => {
    const stubs = mkdtempSync(path.join(tmp, 'stubs-'));
    const log = path.join(stubs, 'calls.log');
    // A stand-in `temporal` CLI with a namespace and its search attributes kept in files.
    writeFileSync(
      path.join(stubs, 'temporal'),
      [
        '#!/bin/sh',
        `echo "$*" >> ${log}`,
        'case "$*" in',
        '  "operator cluster health"*) exit 0 ;;',
        `  "operator namespace describe"*) [ -f ${stubs}/ns ] ;;`,
        `  "operator namespace create"*) touch ${stubs}/ns ;;`,
        `  "operator search-attribute list"*) echo "  Name  Type"; cat ${stubs}/sa 2>/dev/null || true ;;`,
        `  "operator search-attribute create"*) while [ $# -gt 0 ]; do [ "$1" = --name ] && echo "  $2  x" >> ${stubs}/sa; shift; done ;;`,
        'esac',
      ].join('\n'),
    );
    chmodSync(path.join(stubs, 'temporal'), 0o755);
    const env: Record<string, string> = { STUBS: stubs, ...svc('temporal-setup').environment };
    expect(env.RETENTION).toBe('2557d');
    const first = await sh(script('temporal-setup'), env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').at(-1)).toMatch(/^Namespace kscp: retention 2557d, search attributes: /);
    const cliType: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', BOOL: 'Bool', INT: 'Int', DOUBLE: 'Double', TEXT: 'Text', KEYWORD_LIST: 'KeywordList' };
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toContain('operator namespace create --namespace kscp --retention 2557d --description KSCP serious incidents');
    for (const key of SEARCH_ATTRIBUTE_KEYS) {
      expect(calls).toContain(`operator search-attribute create --namespace kscp --name ${key.name} --type ${cliType[key.type]}`);
    }
    writeFileSync(log, '');
    const again = await sh(script('temporal-setup'), env);
    expect(again.code).toBe(0);
    const second = readFileSync(log, 'utf8').trim().split('\n');
    expect(second).toContain('operator namespace update --namespace kscp --retention 2557d');
    expect(second.filter((c) => c.includes('create'))).toEqual([]);
  });
});
