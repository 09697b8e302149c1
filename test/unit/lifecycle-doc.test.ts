import { readFileSync } from 'node:fs';
import { LIFECYCLE_DOC, lifecycleMarkdown } from '../../src/lifecycleDoc';
import { STEPS } from '../../src/process/steps';
import { TIMESCALES } from '../../src/process/timescales';

describe('docs/lifecycle.md', () => {
  it('is what the declared process generates (run npm run docs:lifecycle after changing the model)', () => {
    expect(readFileSync(LIFECYCLE_DOC, 'utf8')).toBe(lifecycleMarkdown());
  });

  it('says, for each step, where it leads and which clocks it moves', () => {
    const doc = lifecycleMarkdown();
    for (const st of Object.values(STEPS)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`kscp ${st.command}\``));
      expect(row).toBeDefined();
      const to = (st as { to?: readonly string[] }).to;
      if (to?.length) for (const stage of to) expect(row).toContain(`\`${stage}\``);
      else expect(row).toContain('(stays)');
      for (const kind of Object.values(st.clocks).flat()) expect(row).toContain(`\`${kind}\``);
    }
    for (const t of TIMESCALES) expect(doc).toContain(`| \`${t.name}\` |`);
  });
});
