/** The benchmark report `npm run bench` writes: docs/benchmarks.md and the README's section between markers. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { markdownReport, README_END, README_START, readmeSection, replaceReadmeSection, type Figure, type Machine } from '../../bench/report';
import { REPO_ROOT } from '../helpers/fixtures';

const machine: Machine = { cpu: 'Test CPU', cores: 2, ramGiB: 8, node: 'v20.19.0', os: 'Linux', date: '2026-11-27T05:00:00Z' };
const figures: Figure[] = [
  { name: 'Throughput', value: '0.62 (6.0/s vs 9.7/s)', goal: '>= 0.5', met: true, detail: 'how.' },
  { name: 'Memory', value: '410 MB', goal: '<= 300 MB', met: false, detail: 'how.' },
  { name: 'Memory, 10,000', value: '420 MB', goal: 'none (reported)', detail: 'how.' },
];

it("the README has the benchmark markers once each, in order, so `npm run bench` can rewrite what is between them", () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  expect(readme.split(README_START)).toHaveLength(2);
  expect(readme.split(README_END)).toHaveLength(2);
  expect(readme.indexOf(README_START)).toBeLessThan(readme.indexOf(README_END));
});

it('rewrites only what is between the markers, and again on the next run', () => {
  const readme = `# Title\n\nBefore.\n\n${README_START}\nold figures\n${README_END}\n\nAfter.\n`;
  const once = replaceReadmeSection(readme, readmeSection(figures, machine));
  expect(once.startsWith('# Title\n\nBefore.\n\n')).toBe(true);
  expect(once.endsWith('\n\nAfter.\n')).toBe(true);
  expect(once).not.toContain('old figures');
  expect(once).toContain('| Memory | 410 MB | <= 300 MB | **missed** |');
  expect(once).toContain('Test CPU, 2 cores, 8 GiB RAM, Node v20.19.0, Linux; run 2026-11-27T05:00:00Z');
  expect(replaceReadmeSection(once, readmeSection(figures, machine))).toBe(once);
});

it('refuses a README without the markers rather than guessing where the figures go', () => {
  expect(() => replaceReadmeSection('# Title\n', readmeSection(figures, machine))).toThrow(/no benchmark markers/);
});

it('the report gives each figure with its goal and verdict, the machine, and how each was measured', () => {
  const md = markdownReport(figures, machine, ['A note.']);
  expect(md).toContain('| Throughput | 0.62 (6.0/s vs 9.7/s) | >= 0.5 | met |');
  expect(md).toContain('| Memory, 10,000 | 420 MB | none (reported) |  |');
  expect(md).toContain('Machine: Test CPU, 2 cores, 8 GiB RAM');
  expect(md).toContain('- **Memory**: how.');
  expect(md).toContain('- A note.');
});
