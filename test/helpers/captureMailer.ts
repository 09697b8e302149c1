/** A mailer for workflow tests: keeps each email with the (time-skipped) server time its activity was scheduled. */
import { Context } from '@temporalio/activity';
import type { Mailer, OutgoingEmail } from '../../activities/mailer';

export interface CapturedEmail extends OutgoingEmail {
  /** Server time when the sending activity was scheduled (the workflow's clock, not the machine's). */
  at: string;
}

export function captureMailer(): Mailer & { sent: CapturedEmail[] } {
  const sent: CapturedEmail[] = [];
  return {
    sent,
    async send(email) {
      sent.push({ ...email, at: new Date(Context.current().info.currentAttemptScheduledTimestampMs).toISOString() });
      return { accepted: [...email.to, ...(email.cc ?? [])], rejected: [], response: '250 captured' };
    },
    close() {},
  };
}
