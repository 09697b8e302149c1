/** Where the toolchain caches what it builds and fetches (reused across runs and clones). */
import os from 'node:os';
import path from 'node:path';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KSCP_TOOLCHAIN_CACHE) return path.resolve(env.KSCP_TOOLCHAIN_CACHE);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kscp-temporal');
}

export type Log = (line: string) => void;

export class ToolchainError extends Error {}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
