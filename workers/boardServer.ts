/**
 * The case board: a read-only web page of the open cases for managers, rendered on the server from
 * the same code as `kscp list`, `kscp deadlines --within 7` and `kscp status` (src/board/). The
 * Temporal Web UI stays the place for a case's history and queries: every case links to it.
 *
 * Who is answered (docs/security.md, "The case board"), the same rules as the codec server's:
 * - it listens on loopback unless told otherwise (KSCP_BOARD_HOST), and in a deployment sits behind
 *   the same sign-in as the Web UI and the codec server;
 * - a request must name the board by one of its own addresses (the Host header): a web page that
 *   points its own name at 127.0.0.1 (DNS rebinding) is refused 403;
 * - a browser request from another site's page (Origin not the board's, or a cross-site
 *   sub-request) is refused 403; a navigation from a link anywhere is answered;
 * - only GET and HEAD (405 otherwise): nothing can be changed through it;
 * - no script, a Content-Security-Policy that allows only its own stylesheet, no framing, no
 *   referrer, no caching; every value escaped (src/board/html.ts).
 * Refusals name nothing internal. GET /healthz answers 200 for health checks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBoard, readCase, readWeek } from '../src/board/data';
import { boardPage, casePage, errorPage, weekPage, type PageContext } from '../src/board/pages';
import { BOARD_CSS } from '../src/board/style';
import { loadSettings } from '../src/config';
import { CliError, EXIT } from '../src/cli/errors';
import { configurationProblem } from '../src/cli/knownErrors';

export interface BoardServerOptions {
  port: number;
  host?: string;
  /**
   * The addresses a browser uses for the board (scheme://host:port): a request's Host must be one
   * of their hosts, and an Origin, when sent, one of them. The listening address is always allowed.
   */
  publicUrls?: string[];
  /** The Temporal Web UI's address as the browser sees it; each case links to its page there. */
  uiUrl?: string;
  namespace: string;
  /** Where refusals and failures are noted for the operator. */
  log?: (line: string) => void;
}

export interface BoardServer {
  url: string;
  close(): Promise<void>;
}

export const BOARD_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** The HTTP status for a `kscp` failure: bad input 400, no such case 404, Temporal or the worker unreachable 503. */
function statusOf(err: CliError): number {
  if (err.exitCode === EXIT.badInput) return 400;
  if (err.exitCode === EXIT.notFound) return 404;
  if (err.exitCode === EXIT.unavailable) return 503;
  return 500;
}

export async function startBoardServer(opts: BoardServerOptions): Promise<BoardServer> {
  const log = opts.log ?? (() => undefined);
  const ctx: PageContext = { uiUrl: opts.uiUrl, namespace: opts.namespace };
  const host = opts.host ?? '127.0.0.1';
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();

  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(BOARD_HEADERS)) res.setHeader(k, v);
    const head = req.method === 'HEAD';
    const send = (status: number, body: string, type = 'text/html; charset=utf-8', extra: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
      res.end(head ? undefined : body);
    };
    const refuse = (status: number, why: string): void => {
      log(`refused ${req.method} ${req.url} from ${req.socket.remoteAddress}: ${why}`);
      req.resume();
      send(status, status === 405 ? 'Only GET and HEAD: the case board is read-only.\n' : 'Forbidden.\n', 'text/plain; charset=utf-8', status === 405 ? { Allow: 'GET, HEAD', Connection: 'close' } : { Connection: 'close' });
    };
    const path = (req.url ?? '/').replace(/\?.*$/, '');
    // For container health checks, before anything else: says only that the server answers.
    if (req.method === 'GET' && path === '/healthz') return send(200, '{"alive":true}\n', 'application/json');
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(hostHeader)) return refuse(403, `Host ${JSON.stringify(req.headers.host ?? '')} is not one of the board's addresses`);
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) return refuse(403, `origin ${origin} is not the board's`);
    const site = req.headers['sec-fetch-site'];
    const mode = req.headers['sec-fetch-mode'];
    const dest = req.headers['sec-fetch-dest'];
    // A link or a typed address from anywhere opens the page; another site's page may not fetch, embed or frame it.
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !(mode === 'navigate' && dest === 'document')) return refuse(403, `a ${site} ${mode ?? ''} request for ${dest ?? ''}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, `method ${req.method}`);
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://board.invalid');
        if (path === '/board.css') return send(200, BOARD_CSS, 'text/css; charset=utf-8');
        if (path === '/') return send(200, boardPage(await readBoard(url.searchParams), ctx));
        if (path === '/week') return send(200, weekPage(await readWeek(7), ctx));
        const ref = /^\/cases\/([^/]+)$/.exec(path)?.[1];
        if (ref !== undefined) {
          let typed: string;
          try {
            typed = decodeURIComponent(ref);
          } catch {
            return send(400, errorPage(400, 'The address does not name a case reference.'));
          }
          return send(200, casePage(await readCase(typed), ctx));
        }
        return send(404, errorPage(404, 'There is no such page on the case board.'));
      } catch (err) {
        if (err instanceof CliError) {
          // kscp's own one-line messages: what is wrong and what to do, nothing internal.
          const status = statusOf(err);
          if (status >= 500) log(`${req.url}: ${err.message}`);
          return send(status, errorPage(status, err.message.replace(/^<ref>: /, '')));
        }
        const known = configurationProblem(err, (() => {
          try {
            return loadSettings();
          } catch {
            return undefined;
          }
        })());
        if (known) {
          log(`${req.url}: ${known.message}`);
          return send(500, errorPage(500, known.message));
        }
        log(`${req.url}: unexpected error: ${(err as Error).stack ?? String(err)}`);
        return send(500, errorPage(500, "The page could not be made: the board's log says why."));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const own = [`http://${host.includes(':') ? `[${host}]` : host}:${port}`];
  if (host === '127.0.0.1' || host === '0.0.0.0' || host === '::') own.push(`http://localhost:${port}`, `http://127.0.0.1:${port}`);
  const urls = [...own, ...(opts.publicUrls ?? [])].map((u) => new URL(u));
  allowedHosts = new Set(urls.map((u) => u.host.toLowerCase()));
  allowedOrigins = new Set(urls.map((u) => u.origin.toLowerCase()));
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
