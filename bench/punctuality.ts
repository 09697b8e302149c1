/**
 * Benchmark 5: reminder punctuality on real time. A reminder is due at 09:00 London on a working
 * day; to have several fall due a few seconds from now on the real dev server, this bench's worker
 * sees each case's planning clock shifted (bench-only): the planning activity is asked about the
 * instant `now - shift` and its answers are shifted back, so the real workflow sleeps on a real
 * Temporal timer until the real instant its 09:00 reminder stands for, then plans and emails it
 * through the real SMTP path. The delay is the email's arrival at the SMTP server minus that instant.
 */
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import { sqliteLedger } from '../activities/emailLedger';
import { createSmtpMailer } from '../activities/mailer';
import { loadCalendar } from '../src/calendar';
import { dataConverter, loadKeys } from '../src/codec';
import { addDays } from '../src/process/dates';
import { REMINDER_TIME } from '../src/deadlines';
import { loadDirectory } from '../src/directory';
import { workflowIdFor } from '../src/process/incident';
import { londonDate, londonInstant } from '../src/london';
import { SHIPPED_CALENDAR, SHIPPED_DIRECTORY } from '../test/helpers/fixtures';
import { shiftedActivities } from '../test/helpers/shiftedClock';
import { quietRuntime } from '../test/helpers/toolchain';
import type { incident } from '../workflows';
import { BENCH_KEYS, benchForm, NAMESPACE, type Bench } from './context';
import type { MailSink } from './mailSink';
import { median, type Figure } from './report';

const TASK_QUEUE = 'bench-punctuality';

export async function punctuality(bench: Bench, mail: MailSink, reminders: number, year: number): Promise<Figure> {
  quietRuntime();
  const calendar = await loadCalendar(SHIPPED_CALENDAR);
  const shifts = new Map<string, number>();
  const converter = dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: BENCH_KEYS }), 'worker');
  const connection = await NativeConnection.connect({ address: bench.server.address });
  const mailer = createSmtpMailer({ host: '127.0.0.1', port: mail.port, secure: false });
  const ledger = sqliteLedger(path.join(bench.tmp, 'punctuality-archive.db'));
  const worker = await Worker.create({
    connection,
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    dataConverter: converter,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), failureConverterPath: converter.failureConverterPath, logger: new DefaultLogger('WARN') }),
    activities: shiftedActivities(
      createActivities({
        mailer,
        directory: () => loadDirectory(SHIPPED_DIRECTORY),
        calendar: () => loadCalendar(SHIPPED_CALENDAR),
        ledger,
      }),
      shifts,
    ),
  });
  const running = worker.run();
  try {
    // A working day in the past (so no date in the case is in the future) whose 09:00 stands for a moment soon.
    const due = calendar.subtractWorkingDays(londonDate(new Date()), 3);
    const laAwareOn = calendar.subtractWorkingDays(due, 5);
    if (calendar.addWorkingDays(laAwareOn, 5) !== due) throw new Error(`calendar: 5 working days from ${laAwareOn} is not ${due}`);
    const nineAm = londonInstant(due, REMINDER_TIME).getTime();
    const t0 = Date.now();
    const cases: Array<{ ref: string; scheduled: number }> = [];
    // The Panel notification of a case made aware 5 working days before `due` has its level-4 reminder ("due today") at 09:00 on `due`.
    for (let i = 0; i < reminders; i++) {
      const scheduled = t0 + 8_000 + i * 3_000;
      const form = benchForm(year, i + 1, {
        incidentDate: addDays(laAwareOn, -1),
        knownAt: londonInstant(laAwareOn, '08:00:00').toISOString(),
        laAwareOn,
      });
      const workflowId = workflowIdFor(form.ref);
      shifts.set(workflowId, scheduled - nineAm);
      await bench.client.workflow.start<typeof incident>('incident', {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [{ form, formReceivedAt: londonInstant(laAwareOn, '09:00:00').toISOString(), checkedAt: new Date().toISOString() }],
      });
      cases.push({ ref: form.ref, scheduled });
    }
    const levelFour = (ref: string) => mail.received.find((m) => m.headers.get('x-kscp-case') === ref && m.headers.get('x-kscp-deadline') === 'panel-notification' && m.headers.get('x-kscp-level') === '4');
    const last = cases[cases.length - 1]!.scheduled;
    await mail.waitUntil(() => cases.every((c) => levelFour(c.ref)), last - Date.now() + 120_000, `the ${reminders} scheduled reminders`);
    const early = cases.filter((c) => levelFour(c.ref)!.at < c.scheduled);
    if (early.length) throw new Error(`reminders arrived before their instant: ${early.map((c) => c.ref).join(', ')}`);
    const delays = cases.map((c) => (levelFour(c.ref)!.at - c.scheduled) / 1000);
    const med = median(delays);
    const max = Math.max(...delays);
    bench.log(`  reminder delays (s): ${delays.map((d) => d.toFixed(2)).join(', ')}`);
    return {
      name: 'Reminder punctuality on real time (email received - scheduled instant)',
      value: `median ${med.toFixed(2)} s, max ${max.toFixed(2)} s`,
      goal: '<= 5 s',
      met: max <= 5,
      detail:
        `${reminders} cases on the real dev server, each with its "due today" (level 4) reminder for the Panel notification at 09:00 London, scheduled 3 s apart from 8 s after the start; ` +
        "the delay is the instant the email finished arriving at a real SMTP server minus the reminder's instant. " +
        'The real workflow sleeps on a real Temporal timer, then the real activities plan and send through nodemailer (the real worker code in-process, with the encrypting data converter); ' +
        "bench-only: the planning activity sees each case's clock shifted so that its 09:00 falls seconds from now. The goal is on the maximum.",
    };
  } finally {
    worker.shutdown();
    await running;
    mailer.close();
    await ledger.close();
    await connection.close();
  }
}
