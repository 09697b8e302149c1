/**
 * The case board on its own (`npm run board`; the `board` service of docker-compose.yml): the
 * read-only page of open cases for managers (workers/boardServer.ts). It reads Temporal and the
 * case archive with the keys, like `kscp`. Settings: TEMPORAL_* (as kscp), the keys
 * (KSCP_KEY_FILE or KSCP_ENCRYPTION_KEYS), KSCP_BOARD_PORT, KSCP_BOARD_HOST, KSCP_BOARD_URL (its
 * address as the browser sees it), KSCP_UI_URL (the Temporal Web UI's, for the case links),
 * KSCP_REFERENCE_FILE, KSCP_CALENDAR_FILE, KSCP_DIRECTORY_FILE, KSCP_ARCHIVE_URL or
 * KSCP_ARCHIVE_FILE. SIGTERM or SIGINT stop it (exit 0).
 */
import { loadKeys } from '../src/codec';
import { loadSettings } from '../src/config';
import { loadReferenceFormat } from '../src/referenceFormat';
import { startBoardServer } from './boardServer';

async function main(): Promise<void> {
  const settings = loadSettings();
  // Refuse to start on a setting that every page would fail on: the keys and the reference format.
  loadKeys(settings.keyFile);
  loadReferenceFormat(settings.referenceFile);
  const { board, temporal } = settings;
  const log = (line: string): void => void process.stderr.write(`kscp case board: ${line}\n`);
  const server = await startBoardServer({ port: board.port, host: board.host, publicUrls: board.url ? [board.url] : [], uiUrl: board.uiUrl, namespace: temporal.namespace, log });
  process.stdout.write(
    `kscp case board: listening on ${server.url}${board.url ? ` (for browsers at ${board.url})` : ''}; Temporal ${temporal.address}, namespace ${temporal.namespace}; ` +
      `${board.uiUrl ? `cases link to the Web UI at ${board.uiUrl}` : 'no KSCP_UI_URL: cases do not link to the Temporal Web UI'}\n`,
  );
  const stop = (signal: NodeJS.Signals): void => {
    process.stdout.write(`kscp case board: ${signal} received; stopping.\n`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`kscp case board: ${(err as Error).message}\n`);
  process.exit(1);
});
