/**
 * The connection settings for a real deployment (src/config.ts): TLS, mutual TLS, API keys
 * (Temporal Cloud), and the worker's health, shutdown and bundle settings. Incomplete or
 * contradictory combinations are refused with the variable named, by the settings, by `kscp`
 * (exit 2) and by the worker (exit 1) before anything connects.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings, PACKAGE_ROOT, temporalSecurity } from '../../src/config';
import { TEST_KEYS } from '../helpers/fixtures';
import { kscp, startNode } from '../helpers/processes';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kscp-tls-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
// Not real keys: only their PEM framing is checked before the SDK reads them.
const CERT = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIBfictional\n-----END CERTIFICATE-----\n');
const KEY = file('client.key', '-----BEGIN PRIVATE KEY-----\nMIIEfictional\n-----END PRIVATE KEY-----\n');
const CA = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIICfictional\n-----END CERTIFICATE-----\n');
const API_KEY_FILE = file('api-key', '  fictional-api-key\n');

describe('TEMPORAL_TLS*, TEMPORAL_API_KEY*: what is accepted', () => {
  it('nothing set: plain connection, no key', () => {
    expect(temporalSecurity({})).toEqual({ tls: undefined, apiKey: undefined });
  });

  it('a CA alone turns TLS on and verifies the server with it', () => {
    expect(temporalSecurity({ TEMPORAL_TLS_CA: CA }).tls).toEqual({ serverRootCACertificate: readFileSync(CA), clientCertPair: undefined, serverNameOverride: undefined });
  });

  it('TEMPORAL_TLS=true alone: TLS with the system CAs', () => {
    expect(temporalSecurity({ TEMPORAL_TLS: 'true' }).tls).toEqual({ serverRootCACertificate: undefined, clientCertPair: undefined, serverNameOverride: undefined });
  });

  it('certificate and key together: mutual TLS, with the server name override', () => {
    const { tls } = temporalSecurity({ TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: KEY, TEMPORAL_TLS_CA: CA, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    expect(tls?.clientCertPair?.crt.toString()).toContain('MIIBfictional');
    expect(tls?.clientCertPair?.key.toString()).toContain('MIIEfictional');
    expect(tls?.serverNameOverride).toBe('temporal.internal');
  });

  it('an API key (Temporal Cloud) turns TLS on; from a file it is trimmed', () => {
    expect(temporalSecurity({ TEMPORAL_API_KEY: 'fictional-api-key' })).toEqual({ tls: { serverRootCACertificate: undefined, clientCertPair: undefined, serverNameOverride: undefined }, apiKey: 'fictional-api-key' });
    expect(temporalSecurity({ TEMPORAL_API_KEY_FILE: API_KEY_FILE }).apiKey).toBe('fictional-api-key');
  });

  it('the same settings reach the Temporal settings kscp, the worker and npm start use', () => {
    const s = loadSettings({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'fictional-api-key' });
    expect(s.temporal).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'fictional-api-key' });
    expect(s.temporal.tls).toBeDefined();
  });
});

describe('TEMPORAL_TLS*, TEMPORAL_API_KEY*: what is refused, and why', () => {
  it.each([
    [{ TEMPORAL_TLS_CERT: CERT }, 'TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: mutual TLS needs the client certificate and its private key together'],
    [{ TEMPORAL_TLS_KEY: KEY }, 'TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not: mutual TLS needs the client certificate and its private key together'],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: CA }, 'TEMPORAL_TLS=false turns TLS off, but TEMPORAL_TLS_CA is set: unset TEMPORAL_TLS (or set it to true) to use TLS'],
    [{ TEMPORAL_TLS: 'off', TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: KEY }, 'TEMPORAL_TLS=off turns TLS off, but TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY are set: unset TEMPORAL_TLS (or set it to true) to use TLS'],
    [{ TEMPORAL_TLS: 'no', TEMPORAL_API_KEY: 'k' }, 'TEMPORAL_TLS=no turns TLS off, but an API key is set: an API key is only sent over TLS (unset TEMPORAL_TLS)'],
    [{ TEMPORAL_API_KEY: 'k', TEMPORAL_API_KEY_FILE: API_KEY_FILE }, 'TEMPORAL_API_KEY and TEMPORAL_API_KEY_FILE are both set: give the API key one way only'],
    [{ TEMPORAL_API_KEY_FILE: file('empty', '\n') }, `TEMPORAL_API_KEY_FILE=${path.join(dir, 'empty')}: the file is empty`],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS=maybe: must be true or false'],
    [{ TEMPORAL_TLS_CERT: KEY, TEMPORAL_TLS_KEY: CERT }, `TEMPORAL_TLS_CERT=${KEY}: not a certificate (expected a PEM file with a "-----BEGIN CERTIFICATE-----" line)`],
    [{ TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: CA }, `TEMPORAL_TLS_KEY=${CA}: not a private key (expected a PEM file with a "-----BEGIN PRIVATE KEY-----" line)`],
    [{ TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') }, `TEMPORAL_TLS_CA=${path.join(dir, 'missing.pem')}: cannot read the file (ENOENT)`],
  ])('%j', (env, message) => {
    expect(() => temporalSecurity(env)).toThrow(message);
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe('the worker settings', () => {
  it('defaults: no health endpoint, 20 s to drain, the workflow code bundled from source', () => {
    const s = loadSettings({});
    expect(s.health).toBeUndefined();
    expect(s.shutdownGraceSeconds).toBe(20);
    expect(s.workflowCode).toEqual({ bundle: undefined });
  });

  it('NODE_ENV=production uses the build-time bundle; KSCP_WORKFLOW_BUNDLE names another', () => {
    expect(loadSettings({ NODE_ENV: 'production' }).workflowCode).toEqual({ bundle: path.join(PACKAGE_ROOT, 'dist', 'workflow-bundle.js') });
    expect(loadSettings({ KSCP_WORKFLOW_BUNDLE: '/opt/kscp/bundle.js' }).workflowCode).toEqual({ bundle: '/opt/kscp/bundle.js' });
  });

  it('KSCP_HEALTH_PORT turns the endpoint on (loopback unless KSCP_HEALTH_HOST says otherwise)', () => {
    expect(loadSettings({ KSCP_HEALTH_PORT: '8235' }).health).toEqual({ port: 8235, host: '127.0.0.1' });
    expect(loadSettings({ KSCP_HEALTH_PORT: '8235', KSCP_HEALTH_HOST: '0.0.0.0' }).health).toEqual({ port: 8235, host: '0.0.0.0' });
  });

  it('the email ledger is on; the test-only switches are off', () => {
    expect(loadSettings({})).toMatchObject({ emailLedger: 'on', faultPauseAt: undefined });
    expect(loadSettings({ KSCP_EMAIL_LEDGER: 'off', KSCP_FAULT_PAUSE_AT: 'after-smtp-accepted' })).toMatchObject({ emailLedger: 'off', faultPauseAt: 'after-smtp-accepted' });
  });

  it('NODE_ENV=production ignores KSCP_FAULT_PAUSE_AT and refuses KSCP_EMAIL_LEDGER=off', () => {
    expect(loadSettings({ NODE_ENV: 'production', KSCP_FAULT_PAUSE_AT: 'after-smtp-accepted' }).faultPauseAt).toBeUndefined();
    expect(() => loadSettings({ NODE_ENV: 'production', KSCP_EMAIL_LEDGER: 'off' })).toThrow(
      'KSCP_EMAIL_LEDGER=off is refused with NODE_ENV=production: without the ledger a retried email is sent twice (the switch exists for the fault tests only); unset it',
    );
  });

  it.each([
    [{ KSCP_EMAIL_LEDGER: 'disabled' }, 'KSCP_EMAIL_LEDGER=disabled: must be on (the default) or off (fault tests only)'],
    [{ KSCP_FAULT_PAUSE_AT: 'somewhere' }, 'KSCP_FAULT_PAUSE_AT=somewhere: must be one of after-claim, after-smtp-accepted, after-ledger-sent (fault tests only; unset it)'],
    [{ KSCP_HEALTH_PORT: 'eighty' }, 'KSCP_HEALTH_PORT=eighty: must be a whole number from 1 to 65535'],
    [{ KSCP_SHUTDOWN_GRACE_SECONDS: '-1' }, 'KSCP_SHUTDOWN_GRACE_SECONDS=-1: must be a whole number from 0 to 3600'],
  ])('%j is refused', (env, message) => {
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe('refused before anything connects', () => {
  const env = { KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_TLS_CERT: CERT };

  it('kscp: exit 2 and the reason', async () => {
    const run = await kscp(['list'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not');
  });

  it('the worker: exit 1 and the reason', async () => {
    const worker = startNode('dist/workers/main.js', { ...env, SMTP_HOST: '127.0.0.1' });
    // 'close': exited and its output read to the end.
    await new Promise<void>((resolve) => worker.process.on('close', () => resolve()));
    expect(worker.process.exitCode).toBe(1);
    expect(worker.output()).toContain('kscp worker: TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not');
  });

  it('the worker in production with the ledger switched off: exit 1 and the reason', async () => {
    const worker = startNode('dist/workers/main.js', { KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: '127.0.0.1:1', SMTP_HOST: '127.0.0.1', NODE_ENV: 'production', KSCP_EMAIL_LEDGER: 'off' });
    await new Promise<void>((resolve) => worker.process.on('close', () => resolve()));
    expect(worker.process.exitCode).toBe(1);
    expect(worker.output().trim()).toBe('kscp worker: KSCP_EMAIL_LEDGER=off is refused with NODE_ENV=production: without the ledger a retried email is sent twice (the switch exists for the fault tests only); unset it');
  });
});
