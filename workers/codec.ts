/**
 * The codec server on its own (`npm run codec`; the `codec` service of docker-compose.yml), for a
 * deployment where the Temporal Web UI runs elsewhere: the UI's browser pages call it to decrypt
 * case details. Settings: KSCP_CODEC_PORT, KSCP_CODEC_HOST, KSCP_CODEC_ALLOWED_ORIGINS (required:
 * the UI's address as the browser sees it), KSCP_CODEC_TOKEN or KSCP_CODEC_TOKEN_FILE (for the Go
 * CLI and other clients that are not the UI's pages), and the keys (KSCP_KEY_FILE or
 * KSCP_ENCRYPTION_KEYS). It never talks to Temporal. SIGTERM or SIGINT stop it (exit 0).
 */
import { EncryptionCodec, loadKeys } from '../src/codec';
import { ConfigError, loadSettings } from '../src/config';
import { startCodecServer } from './codecServer';

async function main(): Promise<void> {
  const settings = loadSettings();
  const { allowedOrigins, port, host, token } = settings.codec;
  if (!allowedOrigins?.length) {
    throw new ConfigError('KSCP_CODEC_ALLOWED_ORIGINS is not set: give the Temporal Web UI address as the browser sees it (for example https://temporal.kscp.example.org), comma-separated if several');
  }
  const ring = loadKeys(settings.keyFile);
  const log = (line: string): void => void process.stderr.write(`kscp codec server: ${line}\n`);
  const server = await startCodecServer({ codec: new EncryptionCodec(ring), port, host, allowedOrigins, token, log });
  process.stdout.write(
    `kscp codec server: listening on ${server.url} for the Web UI at ${allowedOrigins.join(', ')}` +
      `${token ? ' and for clients with the token' : ' only (no KSCP_CODEC_TOKEN: no other client)'}; ${Object.keys(ring.keys).length} key(s), current ${ring.current}\n`,
  );
  const stop = (signal: NodeJS.Signals): void => {
    process.stdout.write(`kscp codec server: ${signal} received; stopping.\n`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`kscp codec server: ${(err as Error).message}\n`);
  process.exit(1);
});
