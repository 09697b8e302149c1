/**
 * The benchmark report: each figure with its goal and whether it is met, the machine it came
 * from, written to docs/benchmarks.md and to the README's Benchmarks section (between markers).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Figure {
  /** What was measured, in a few words. */
  name: string;
  /** The measured value as printed, e.g. "0.62" or "1.4x" or "212 MB". */
  value: string;
  /** The goal as printed, e.g. ">= 0.5". */
  goal: string;
  /** Whether the goal is met; undefined for an informational figure without a goal. */
  met?: boolean;
  /** How it was measured and what the parts were, one or two sentences. */
  detail: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  date: string;
}

export function thisMachine(now = new Date()): Machine {
  const cpus = os.cpus();
  return {
    cpu: (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export const README_START = '<!-- bench:start (written by `npm run bench`; do not edit by hand) -->';
export const README_END = '<!-- bench:end -->';

const verdict = (f: Figure): string => (f.met === undefined ? '' : f.met ? 'met' : '**missed**');

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}; run ${m.date}`;
}

export function figuresTable(figures: Figure[]): string {
  const rows = figures.map((f) => `| ${f.name} | ${f.value} | ${f.goal} | ${verdict(f)} |`);
  return ['| benchmark | measured | goal | |', '|---|---|---|---|', ...rows].join('\n');
}

export function markdownReport(figures: Figure[], machine: Machine, notes: string[]): string {
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Each figure is measured side by',
    'side with its yardstick in one run, on one Temporal dev server (the project\'s Temporal CLI), the',
    "real worker with the project's encryption, and a real SMTP server.",
    '',
    `Machine: ${machineLine(machine)}.`,
    '',
    figuresTable(figures),
    '',
    '## How each figure is measured',
    '',
    ...figures.map((f) => `- **${f.name}**: ${f.detail}`),
    ...(notes.length ? ['', '## Notes', '', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}

export function readmeSection(figures: Figure[], machine: Machine): string {
  return [
    README_START,
    `Latest \`npm run bench\` on ${machineLine(machine)}; details in [docs/benchmarks.md](docs/benchmarks.md).`,
    '',
    figuresTable(figures),
    README_END,
  ].join('\n');
}

/** Replace what is between the README's markers; refuse (rather than guess) if they are missing. */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no benchmark markers (${README_START} ... ${README_END})`);
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}

export function writeReports(root: string, figures: Figure[], machine: Machine, notes: string[]): void {
  writeFileSync(path.join(root, 'docs', 'benchmarks.md'), markdownReport(figures, machine, notes));
  const readmeFile = path.join(root, 'README.md');
  writeFileSync(readmeFile, replaceReadmeSection(readFileSync(readmeFile, 'utf8'), readmeSection(figures, machine)));
}

/** The terminal lines, one per figure. */
export function printable(f: Figure): string {
  const mark = f.met === undefined ? '' : f.met ? '  [met]' : '  [MISSED]';
  return `${f.name}: ${f.value} (goal ${f.goal})${mark}`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
