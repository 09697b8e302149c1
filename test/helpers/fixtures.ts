/** Fictional test data: no real person or case. */
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config';
import type { IncidentForm } from '../../src/process/schemas';

/** The project's folder, from the test sources or from their compiled copy in dist/ (the benchmarks). */
export const REPO_ROOT = PACKAGE_ROOT;
export const SHIPPED_DIRECTORY = path.join(REPO_ROOT, 'config', 'directory.json');
export const SHIPPED_CALENDAR = path.join(REPO_ROOT, 'config', 'calendar.json');

/** Addresses in the shipped (fictional) directory. */
export const ADDRESS = {
  businessUnit: 'kscp.business.unit@kscp.example.org',
  businessManager: 'kscp.business.manager@kscp.example.org',
  laLead: 'la.serious.incidents@council.example.org',
} as const;

let serial = 100;
/** A fresh case reference for each case a test opens. */
export function nextRef(year = 2032): string {
  serial += 1;
  return `KSCP-${year}-${serial}`;
}

/** An eCase form for a fictional serious-harm incident, with any field overridden. */
export function fictionalForm(overrides: Partial<IncidentForm> = {}): IncidentForm {
  return {
    ref: nextRef(),
    notifyingAgency: 'health',
    notifier: { name: 'Test Notifier', email: 'test.notifier@health.example.org', role: 'Named Nurse' },
    incidentDate: '2032-12-21',
    knownAt: '2032-12-22T08:30:00Z',
    laAwareOn: '2032-12-22',
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: false,
    agenciesInvolved: ['health', 'social-care'],
    summary: 'Fictional test incident.',
    ...overrides,
  };
}

/** A fixed, test-only encryption key (never used outside tests). */
export const TEST_KEYS = 'test-key=' + Buffer.alloc(32, 7).toString('base64');
