/**
 * The process, declared: every step the Business Unit records, with the stages it fits, the stages
 * it leads to, its input, and the clocks it opens, meets, cancels or moves (DESIGN.md §1 and §6,
 * from the partnership's guide and Working Together 2023). docs/lifecycle.md is generated from this
 * table (`npm run docs:lifecycle`; a test fails when they differ), and so are the update and signal
 * names (./messages.ts), the `kscp` commands (src/cli/commands/record.ts, a Record over these keys)
 * and the emails' "how to record it" lines.
 *
 * Record what happened; refuse only what cannot be true (a date in the future, a date before the
 * step it depends on, a step that does not fit the stage). A late step is recorded, and its
 * deadline shows it late.
 */
import { careLeaverOnly } from './criteria';
import type { IsoDate } from './dates';
import { applyEffects, findDeadline, isOpen, openDeadlineOf, step, type StepContext } from './engine';
import type { IncidentState } from './incident';
import { agencyContact } from './roles';
import {
  DeferInput,
  DelayInput,
  DoneOnInput,
  ExecutiveSignoffInput,
  InfoReceivedInput,
  InfoRequestInput,
  LaDecisionInput,
  LcsprStartInput,
  NationalReportInput,
  NationalReviewerInput,
  PanelResponseInput,
  PublishedInput,
  RapidReviewInput,
  ReportSentInput,
  ViewsInput,
  WithdrawInput,
} from './inputs';
import type { Check } from './inputs';
import { OPEN_STAGES, type Stage } from './stages';
import { AmendStep } from './amend';
import type { InfoRequestDeadline } from './timescales';

const REVIEW_STAGES = ['RAPID_REVIEW', 'LCSPR', 'NATIONAL_REVIEW'] as const;
const AFTER_RAPID_REVIEW = ['PANEL_RESPONSE', 'LCSPR', 'NATIONAL_REVIEW', 'SIGN_OFF', 'PUBLISHED', 'LEARNING'] as const;

const notBefore = (field: string, value: IsoDate, what: string, earliest: IsoDate | undefined): string | undefined =>
  earliest !== undefined && value < earliest ? `${field}: ${value} is before ${what} (${earliest})` : undefined;

/** The open information request to `agency`, if any. */
function openInfoRequest(s: IncidentState, agency: string) {
  return s.deadlines.find((d) => d.clock.timescale === 'info-request' && d.status === 'open' && d.owner === agencyContact(agency));
}

/** `info-request:police`, then `info-request:police:2` for a second request to the same agency. */
function infoRequestName(s: IncidentState, agency: string): InfoRequestDeadline {
  const base: InfoRequestDeadline = `info-request:${agency}`;
  const count = s.deadlines.filter((d) => d.name === base || d.name.startsWith(`${base}:`)).length;
  return count === 0 ? base : `info-request:${agency}:${count + 1}`;
}

/** A review has concluded (any route): the learning tasks open. */
const learningOpens = (on: IsoDate) =>
  [
    { kind: 'learning-dissemination', start: on },
    { kind: 'staff-informed', start: on },
  ] as const;

/**
 * After a step in PUBLISHED or LEARNING: a case in LEARNING (or leaving the website) closes once
 * nothing is left open. The deadlines the step itself meets count as done.
 */
function closesWhenDone(s: IncidentState, leaving: 'PUBLISHED' | 'LEARNING', done: readonly string[]): 'LEARNING' | 'CLOSED' | undefined {
  if (leaving === 'PUBLISHED' && s.stage === 'PUBLISHED') return undefined;
  const open = s.deadlines.filter((d) => d.status === 'open' && !done.includes(d.name));
  return open.length === 0 ? 'CLOSED' : 'LEARNING';
}

const lcsprStarted = (s: IncidentState): string | undefined => (s.lcspr ? undefined : 'the LCSPR has not been initiated yet: record it with lcspr-start first');

/** The publication date the 7-working-day reports are measured against: the actual date once published, else the planned one. */
const publicationDate = (s: IncidentState): IsoDate | undefined => s.publication?.on ?? s.signOff?.executive?.plannedPublicationOn;

export const STEPS = {
  laDecision: step({
    command: 'la-decision',
    description: 'The LA decision: notifiable (with the date the National Panel was notified) or not (with the rationale), and whether Ofsted must be notified',
    from: ['LA_DECISION'],
    to: ['RAPID_REVIEW', 'CLOSED'],
    stays: true,
    clocks: { meets: ['panel-notification', 'ofsted-notification'], opens: ['rapid-review', 'ofsted-notification'], cancels: ['panel-notification', 'rapid-review'] },
    input: LaDecisionInput,
    pastDates: ['panelNotifiedOn', 'ofstedNotifiedOn'],
    ready: (s) =>
      careLeaverOnly(s.criteria)
        ? "a care leaver's death alone is notified to the Secretary of State and Ofsted, not the National Panel: record it with care-leaver-notified"
        : undefined,
    check: (s, d) =>
      (d.panelNotifiedOn !== undefined && d.panelNotifiedOn < s.laAwareOn
        ? `panelNotifiedOn: the Panel cannot have been notified (${d.panelNotifiedOn}) before the LA became aware (${s.laAwareOn})`
        : undefined) ?? notBefore('ofstedNotifiedOn', d.ofstedNotifiedOn ?? s.laAwareOn, 'the date the LA became aware', s.laAwareOn),
    apply: (s, d, { now }) => {
      s.laDecision = { ...d, recordedAt: d.recordedAt ?? now.toISOString() };
      const ofstedRequired = d.ofsted === 'required';
      const ofsted = ofstedRequired
        ? {
            opens: [{ kind: 'ofsted-notification' as const, start: s.laAwareOn }],
            meets: d.ofstedNotifiedOn !== undefined ? [{ kind: 'ofsted-notification' as const, on: d.ofstedNotifiedOn }] : [],
          }
        : { opens: [], meets: [] };
      const ofstedLine = !ofstedRequired ? '' : d.ofstedNotifiedOn ? `; Ofsted notified on ${d.ofstedNotifiedOn}` : '; Ofsted must be notified (not yet recorded)';
      if (d.notifiable && d.panelNotifiedOn !== undefined) {
        return {
          to: 'RAPID_REVIEW',
          what: `LA decided the incident is notifiable; the National Panel was notified on ${d.panelNotifiedOn}${ofstedLine}; Rapid Review stage started`,
          meets: [{ kind: 'panel-notification', on: d.panelNotifiedOn }, ...ofsted.meets],
          opens: [{ kind: 'rapid-review', start: s.laAwareOn }, ...ofsted.opens],
        };
      }
      const cancels = [
        { kind: 'panel-notification', because: 'the incident is not notifiable' },
        { kind: 'rapid-review', because: 'the incident is not notifiable' },
      ] as const;
      if (ofstedRequired && d.ofstedNotifiedOn === undefined) {
        // The case stays open for the one duty left: telling Ofsted.
        return {
          route: 'not-notifiable',
          what: `LA decided the incident is not notifiable (rationale recorded); Ofsted must still be notified: the case closes once that is recorded (ofsted-notified)`,
          cancels: [...cancels],
          opens: ofsted.opens,
        };
      }
      return {
        to: 'CLOSED',
        route: 'not-notifiable',
        what: `LA decided the incident is not notifiable${ofstedLine}; case closed with the rationale recorded`,
        closedBecause: 'not notifiable',
        cancels: [...cancels],
        opens: ofsted.opens,
        meets: ofsted.meets,
      };
    },
  }),

  ofstedNotified: step({
    command: 'ofsted-notified',
    description: 'The LA notified Ofsted of the serious incident (when the LA decided Ofsted must be notified)',
    from: OPEN_STAGES,
    to: ['CLOSED'],
    stays: true,
    clocks: { meets: ['ofsted-notification'] },
    input: DoneOnInput,
    pastDates: ['on'],
    ready: (s) =>
      isOpen(findDeadline(s, 'ofsted-notification'))
        ? undefined
        : s.laDecision?.ofstedNotifiedOn
          ? `Ofsted's notification was already recorded (${s.laDecision.ofstedNotifiedOn})`
          : 'the LA decision did not say Ofsted must be notified (correct it with amend if it should have)',
    check: (s, n) => notBefore('on', n.on, 'the date the LA became aware', s.laAwareOn),
    apply: (s, n) => {
      s.laDecision = s.laDecision && { ...s.laDecision, ofstedNotifiedOn: n.on };
      const closes = s.route === 'not-notifiable' && s.stage === 'LA_DECISION';
      return {
        ...(closes && { to: 'CLOSED' as const, closedBecause: 'not notifiable; Ofsted notified' }),
        what: `Ofsted notified on ${n.on}${closes ? '; case closed (not notifiable)' : ''}`,
        meets: [{ kind: 'ofsted-notification', on: n.on }],
      };
    },
  }),

  careLeaverNotified: step({
    command: 'care-leaver-notified',
    description: "The LA notified the Secretary of State and Ofsted of a care leaver's death (both; the later date if on different days)",
    from: OPEN_STAGES,
    to: ['CLOSED'],
    stays: true,
    clocks: { meets: ['care-leaver-notification'] },
    input: DoneOnInput,
    pastDates: ['on'],
    ready: (s) =>
      isOpen(findDeadline(s, 'care-leaver-notification'))
        ? undefined
        : s.careLeaverNotifiedOn
          ? `the notification was already recorded (${s.careLeaverNotifiedOn})`
          : "the case's criteria do not include a care leaver's death (correct them with amend if they should)",
    check: (s, n) => notBefore('on', n.on, 'the date the LA became aware', s.laAwareOn),
    apply: (s, n) => {
      s.careLeaverNotifiedOn = n.on;
      const only = careLeaverOnly(s.criteria);
      return {
        ...(only && { to: 'CLOSED' as const, route: 'care-leaver-only' as const, closedBecause: "care leaver's death notified; no Rapid Review (no other criterion)" }),
        what: `The Secretary of State and Ofsted were notified of the care leaver's death on ${n.on}${only ? '; no Rapid Review is needed (no other criterion): case closed' : ''}`,
        meets: [{ kind: 'care-leaver-notification', on: n.on }],
      };
    },
  }),

  infoRequest: step({
    command: 'info-request',
    description: 'An information request to an agency, with the due date the Business Unit set',
    from: REVIEW_STAGES,
    clocks: { opens: ['info-request'] },
    input: InfoRequestInput,
    pastDates: ['requestedOn'],
    ready: (s, r) => {
      const open = openInfoRequest(s, r.agency);
      return open ? `an information request to ${r.agency} is already open (${open.name}, due ${open.clock.setDue}): record its response with info-received first` : undefined;
    },
    check: (s, r) => notBefore('requestedOn', r.requestedOn, 'the date the LA became aware', s.laAwareOn),
    apply: (s, r) => {
      const name = infoRequestName(s, r.agency);
      return {
        what: `Information requested from ${r.agency} on ${r.requestedOn}, due ${r.dueOn} (${name})`,
        opens: [{ kind: 'info-request', name, start: r.requestedOn, setDue: r.dueOn, owner: agencyContact(r.agency) }],
      };
    },
  }),

  infoReceived: step({
    command: 'info-received',
    description: "An agency's response to an information request",
    from: OPEN_STAGES,
    clocks: { meets: ['info-request'] },
    input: InfoReceivedInput,
    pastDates: ['receivedOn'],
    ready: (s, r) => {
      if (openInfoRequest(s, r.agency)) return undefined;
      const open = s.deadlines.filter((d) => d.clock.timescale === 'info-request' && d.status === 'open').map((d) => d.name);
      return `there is no open information request to ${r.agency} (open: ${open.length ? open.join(', ') : 'none'})`;
    },
    check: (s, r) => notBefore('receivedOn', r.receivedOn, 'the date of the request', openInfoRequest(s, r.agency)?.clock.start),
    apply: (s, r) => {
      const d = openInfoRequest(s, r.agency)!;
      return {
        what: `Information received from ${r.agency} on ${r.receivedOn} (${d.name}, due ${d.clock.setDue})`,
        meets: [{ kind: 'info-request', name: d.name, on: r.receivedOn }],
      };
    },
  }),

  rapidReview: step({
    command: 'rapid-review',
    description: 'The Rapid Review: meeting date, template submitted to the National Panel, outcome and rationale',
    from: ['RAPID_REVIEW'],
    to: ['PANEL_RESPONSE'],
    clocks: { meets: ['rapid-review'], opens: ['panel-response', 'partners-informed'] },
    input: RapidReviewInput,
    pastDates: ['meetingOn', 'submittedOn'],
    check: (s, r) => notBefore('meetingOn', r.meetingOn, 'the date the LA became aware', s.laAwareOn) ?? notBefore('submittedOn', r.submittedOn, 'the Rapid Review meeting', r.meetingOn),
    apply: (s, r, { rules }) => {
      s.rapidReview = r;
      return {
        to: 'PANEL_RESPONSE',
        what: `Rapid Review meeting held ${r.meetingOn}; template submitted to the National Panel on ${r.submittedOn}; outcome: ${r.outcome}; waiting for the Panel's response`,
        meets: [{ kind: 'rapid-review', on: r.submittedOn }],
        opens: [
          { kind: 'panel-response', start: r.submittedOn },
          // Cases recorded before the duty was modelled replay without it.
          ...(rules === 2 ? [] : [{ kind: 'partners-informed' as const, start: r.meetingOn }]),
        ],
      };
    },
  }),

  partnersInformed: step({
    command: 'partners-informed',
    description: 'The review decision after the Rapid Review communicated to the wider KSCP partners',
    from: AFTER_RAPID_REVIEW,
    to: ['CLOSED'],
    stays: true,
    clocks: { meets: ['partners-informed'] },
    input: DoneOnInput,
    pastDates: ['on'],
    ready: (s) => (isOpen(findDeadline(s, 'partners-informed')) ? undefined : s.partnersInformedOn ? `this was already recorded (${s.partnersInformedOn})` : 'no Rapid Review decision is waiting to be communicated'),
    check: (s, p) => notBefore('on', p.on, 'the Rapid Review meeting', s.rapidReview?.meetingOn),
    apply: (s, p) => {
      s.partnersInformedOn = p.on;
      const closes = s.stage === 'LEARNING' && closesWhenDone(s, 'LEARNING', ['partners-informed']) === 'CLOSED';
      return {
        ...(closes && { to: 'CLOSED' as const, closedBecause: 'review concluded and its learning shared' }),
        what: `The review decision was communicated to the wider KSCP partners on ${p.on}${closes ? '; case closed' : ''}`,
        meets: [{ kind: 'partners-informed', on: p.on }],
      };
    },
  }),

  panelResponse: step({
    command: 'panel-response',
    description: "The National Panel's response: local review (LCSPR), national review, or no further review",
    from: ['PANEL_RESPONSE'],
    to: ['LCSPR', 'NATIONAL_REVIEW', 'LEARNING'],
    clocks: { meets: ['panel-response'], opens: ['learning-dissemination', 'staff-informed'] },
    input: PanelResponseInput,
    pastDates: ['receivedOn'],
    check: (s, r) => notBefore('receivedOn', r.receivedOn, 'the Rapid Review submission', s.rapidReview?.submittedOn),
    apply: (s, r) => {
      s.panelResponse = r;
      const meets = [{ kind: 'panel-response', on: r.receivedOn }] as const;
      if (r.decision === 'local-review')
        return { to: 'LCSPR', route: 'lcspr', what: `National Panel agreed a local review (LCSPR) on ${r.receivedOn}; waiting for its initiation`, meets: [...meets] };
      if (r.decision === 'national-review')
        return { to: 'NATIONAL_REVIEW', route: 'national-review', what: `National Panel commissioned a national review on ${r.receivedOn}`, meets: [...meets] };
      return {
        to: 'LEARNING',
        route: 'no-further-review',
        what: `National Panel decided on no further review (${r.receivedOn}); learning tasks started`,
        meets: [...meets],
        opens: [...learningOpens(r.receivedOn)],
      };
    },
  }),

  lcsprStart: step({
    command: 'lcspr-start',
    description: 'The LCSPR initiated: date and methodology; starts the 6-month publication clock',
    from: ['LCSPR'],
    clocks: { opens: ['lcspr-publication'] },
    input: LcsprStartInput,
    pastDates: ['initiatedOn'],
    ready: (s) => (s.lcspr ? `the LCSPR was already initiated on ${s.lcspr.initiatedOn}` : undefined),
    check: (s, l) => notBefore('initiatedOn', l.initiatedOn, 'the Rapid Review submission', s.rapidReview?.submittedOn),
    apply: (s, l) => {
      s.lcspr = { ...l };
      return {
        what: `LCSPR initiated on ${l.initiatedOn} (${l.methodology}); publication due within 6 months`,
        opens: [{ kind: 'lcspr-publication', start: l.initiatedOn }],
      };
    },
  }),

  views: step({
    command: 'views',
    description: "Practitioners' or the family's views sought for the LCSPR",
    from: ['LCSPR'],
    clocks: {},
    input: ViewsInput,
    pastDates: ['on'],
    ready: lcsprStarted,
    check: (s, v) => notBefore('on', v.on, 'the LCSPR initiation', s.lcspr?.initiatedOn),
    apply: (s, v) => {
      if (v.from === 'practitioners') s.lcspr!.practitionerViewsOn = v.on;
      else s.lcspr!.familyViewsOn = v.on;
      return { what: `${v.from === 'practitioners' ? "Practitioners'" : "The family's"} views recorded for the LCSPR (${v.on})` };
    },
  }),

  delay: step({
    command: 'delay',
    description: 'The reasons for a delay in publishing the LCSPR, sent to the National Panel (owed from the working day after the 6-month date; still owed after a late publication)',
    from: ['LCSPR', 'SIGN_OFF', 'PUBLISHED', 'LEARNING'],
    clocks: { meets: ['delay-reasons'] },
    input: DelayInput,
    pastDates: ['sentOn'],
    ready: (s, _d, { rules }) =>
      lcsprStarted(s) ??
      (rules === 2 && !isOpen(findDeadline(s, 'lcspr-publication')) ? 'the LCSPR publication deadline is no longer open' : undefined) ??
      (s.lcspr?.delayReasonsSentOn ? `the reasons were already sent (${s.lcspr.delayReasonsSentOn})` : undefined),
    check: (s, d) => notBefore('sentOn', d.sentOn, 'the LCSPR initiation', s.lcspr?.initiatedOn),
    apply: (s, d) => {
      s.lcspr!.delayReasonsSentOn = d.sentOn;
      return {
        what: `Reasons for the delay in publishing the LCSPR sent to the National Panel on ${d.sentOn}`,
        meets: [{ kind: 'delay-reasons', on: d.sentOn }],
      };
    },
  }),

  nationalReviewer: step({
    command: 'national-reviewer',
    description: "The National Panel's reviewer for a national review",
    from: ['NATIONAL_REVIEW'],
    clocks: {},
    input: NationalReviewerInput,
    pastDates: ['appointedOn'],
    check: (s, n) => notBefore('appointedOn', n.appointedOn, "the Panel's response", s.panelResponse?.receivedOn),
    apply: (s, n) => {
      s.nationalReview = { ...s.nationalReview, ...n };
      return { what: `National Panel's reviewer appointed on ${n.appointedOn}` };
    },
  }),

  nationalReport: step({
    command: 'national-report',
    description: "The national review's report received; learning follows",
    from: ['NATIONAL_REVIEW'],
    to: ['LEARNING'],
    clocks: { opens: ['learning-dissemination', 'staff-informed'] },
    input: NationalReportInput,
    pastDates: ['receivedOn'],
    check: (s, n) => notBefore('receivedOn', n.receivedOn, "the Panel's response", s.panelResponse?.receivedOn),
    apply: (s, n) => {
      s.nationalReview = { ...s.nationalReview, reportReceivedOn: n.receivedOn };
      return { to: 'LEARNING', what: `National review report received on ${n.receivedOn}; learning tasks started`, opens: [...learningOpens(n.receivedOn)] };
    },
  }),

  subgroupAgreed: step({
    command: 'subgroup-agreed',
    description: 'The CSPR sub-group agreed the final LCSPR report; the Executive signs it off next',
    from: ['LCSPR'],
    to: ['SIGN_OFF'],
    clocks: {},
    input: DoneOnInput,
    pastDates: ['on'],
    ready: lcsprStarted,
    check: (s, a) => notBefore('on', a.on, 'the LCSPR initiation', s.lcspr?.initiatedOn),
    apply: (s, a) => {
      s.lcspr!.subgroupAgreedOn = a.on;
      s.signOff = { subgroupAgreedOn: a.on };
      return { to: 'SIGN_OFF', what: `CSPR sub-group agreed the final report on ${a.on}; waiting for the Executive` };
    },
  }),

  executiveSignoff: step({
    command: 'executive-signoff',
    description: 'The Executive agreed the report and decided on publication (publish, improvements only, not publish)',
    from: ['SIGN_OFF'],
    to: ['LEARNING'],
    stays: true,
    clocks: {
      opens: ['report-to-panel', 'report-to-secretary-of-state', 'learning-dissemination', 'staff-informed'],
      cancels: ['lcspr-publication', 'delay-reasons'],
    },
    input: ExecutiveSignoffInput,
    pastDates: ['on'],
    ready: (s) => (s.signOff?.executive ? `the Executive decision was already recorded (${s.signOff.executive.decision}, ${s.signOff.executive.on})` : undefined),
    check: (s, e) => notBefore('on', e.on, "the sub-group's agreement", s.signOff?.subgroupAgreedOn),
    apply: (s, e, { rules }) => {
      s.signOff = { ...s.signOff!, executive: e };
      if (e.decision === 'not-publish') {
        return {
          to: 'LEARNING',
          what: `Executive agreed the report on ${e.on} and decided not to publish (reasons recorded); learning tasks started`,
          cancels: [
            { kind: 'lcspr-publication', because: 'the Executive decided not to publish' },
            { kind: 'delay-reasons', because: 'the Executive decided not to publish' },
          ],
          opens: [...learningOpens(e.on)],
        };
      }
      const planned = e.plannedPublicationOn!;
      return {
        what: `Executive agreed the report on ${e.on}: ${e.decision === 'publish' ? 'publish' : 'publish the improvements only'} on ${planned}; the full report goes to the National Panel${rules === 2 ? '' : ' and the Secretary of State'} 7 working days before`,
        opens: [{ kind: 'report-to-panel', start: planned }, ...(rules === 2 ? [] : [{ kind: 'report-to-secretary-of-state' as const, start: planned }])],
      };
    },
  }),

  reportSent: step({
    command: 'report-sent',
    description: 'The full report sent to the National Panel and/or the Secretary of State (DfE) before publication',
    from: ['SIGN_OFF', 'PUBLISHED', 'LEARNING'],
    clocks: { meets: ['report-to-panel', 'report-to-secretary-of-state'] },
    input: ReportSentInput,
    pastDates: ['sentOn'],
    ready: (s, r) => {
      const wanted = r.to === 'secretary-of-state' ? ['report-to-secretary-of-state'] : r.to === 'panel' ? ['report-to-panel'] : ['report-to-panel', 'report-to-secretary-of-state'];
      const open = wanted.filter((n) => isOpen(findDeadline(s, n as 'report-to-panel')));
      if (open.length === wanted.length) return undefined;
      if (!s.signOff?.executive) return 'there is no publication planned: record the Executive decision first';
      const done = [s.signOff.reportSentOn && `to the Panel on ${s.signOff.reportSentOn}`, s.signOff.reportToSecretaryOfStateOn && `to the Secretary of State on ${s.signOff.reportToSecretaryOfStateOn}`].filter(Boolean);
      return done.length ? `the report was already recorded as sent (${done.join('; ')})` : 'no report is due for this case';
    },
    check: (s, r) => notBefore('sentOn', r.sentOn, 'the Executive decision', s.signOff?.executive?.on),
    apply: (s, r) => {
      // Histories from before the Secretary of State was modelled carry no `to`: the Panel.
      const to = r.to ?? 'panel';
      const panel = to !== 'secretary-of-state';
      const sos = to !== 'panel';
      if (panel) s.signOff!.reportSentOn = r.sentOn;
      if (sos) s.signOff!.reportToSecretaryOfStateOn = r.sentOn;
      const publication = publicationDate(s);
      return {
        what: `Full report sent to ${[panel && 'the National Panel', sos && 'the Secretary of State'].filter(Boolean).join(' and ')} on ${r.sentOn}${publication ? ` (publication ${s.publication ? 'was' : 'planned'} on ${publication})` : ''}`,
        meets: [...(panel ? [{ kind: 'report-to-panel' as const, on: r.sentOn }] : []), ...(sos ? [{ kind: 'report-to-secretary-of-state' as const, on: r.sentOn }] : [])],
      };
    },
  }),

  published: step({
    command: 'published',
    description: 'The report published on the website, with its date and address; the 7-working-day reports are measured against this date',
    from: ['SIGN_OFF'],
    to: ['PUBLISHED'],
    clocks: {
      meets: ['lcspr-publication'],
      opens: ['website-removal', 'learning-dissemination', 'staff-informed'],
      moves: ['report-to-panel', 'report-to-secretary-of-state'],
    },
    input: PublishedInput,
    pastDates: ['on'],
    ready: (s, _p, { rules }) => {
      const exec = s.signOff?.executive;
      if (!exec || exec.decision === 'not-publish') return exec ? 'the Executive decided not to publish' : 'record the Executive decision first';
      // Cases recorded before truthful records required the report first; now a late report is recorded late.
      return rules === 2 && !s.signOff?.reportSentOn ? 'record the report sent to the National Panel first (report-sent): it goes 7 working days before publication' : undefined;
    },
    check: (s, p) => notBefore('on', p.on, 'the Executive decision', s.signOff?.executive?.on),
    apply: (s, p, { rules }) => {
      s.publication = { ...p };
      return {
        to: 'PUBLISHED',
        what: `Report published on ${p.on}; it comes off the website after the retention period; learning tasks started`,
        meets: [{ kind: 'lcspr-publication', on: p.on }],
        opens: [{ kind: 'website-removal', start: p.on }, ...learningOpens(p.on)],
        moves:
          rules === 2
            ? []
            : [
                { kind: 'report-to-panel', start: p.on },
                { kind: 'report-to-secretary-of-state', start: p.on },
              ],
      };
    },
  }),

  removedFromWebsite: step({
    command: 'removed-from-website',
    description: 'The published report taken off the website (then available on request)',
    from: ['PUBLISHED'],
    to: ['LEARNING', 'CLOSED'],
    clocks: { meets: ['website-removal'] },
    input: DoneOnInput,
    pastDates: ['on'],
    check: (s, r) => notBefore('on', r.on, 'publication', s.publication?.on),
    apply: (s, r) => {
      s.publication!.removedOn = r.on;
      const to = closesWhenDone(s, 'LEARNING', ['website-removal'])!;
      return {
        to,
        ...(to === 'CLOSED' && { closedBecause: 'review concluded and its learning shared' }),
        what: `Report taken off the website on ${r.on}; available on request from the Business Unit${to === 'CLOSED' ? '; case closed' : ''}`,
        meets: [{ kind: 'website-removal', on: r.on }],
      };
    },
  }),

  learningShared: step({
    command: 'learning-shared',
    description: 'Key findings sent to the Learning and Development Subgroup',
    from: ['PUBLISHED', 'LEARNING'],
    to: ['CLOSED'],
    stays: true,
    clocks: { meets: ['learning-dissemination'] },
    input: DoneOnInput,
    pastDates: ['on'],
    ready: (s) => (isOpen(findDeadline(s, 'learning-dissemination')) ? undefined : `this was already recorded (${s.learning?.sharedOn ?? 'done'})`),
    check: (s, l) => notBefore('on', l.on, 'the conclusion of the review', findDeadline(s, 'learning-dissemination')?.clock.start),
    apply: (s, l) => {
      s.learning = { ...s.learning, sharedOn: l.on };
      const closes = closesWhenDone(s, s.stage as 'PUBLISHED' | 'LEARNING', ['learning-dissemination']) === 'CLOSED';
      return {
        ...(closes && { to: 'CLOSED' as const, closedBecause: 'review concluded and its learning shared' }),
        what: `Key findings sent to the Learning and Development Subgroup (${l.on})${closes ? '; case closed' : ''}`,
        meets: [{ kind: 'learning-dissemination', on: l.on }],
      };
    },
  }),

  staffInformed: step({
    command: 'staff-informed',
    description: 'Staff told of the findings of the review',
    from: ['PUBLISHED', 'LEARNING'],
    to: ['CLOSED'],
    stays: true,
    clocks: { meets: ['staff-informed'] },
    input: DoneOnInput,
    pastDates: ['on'],
    ready: (s) => (isOpen(findDeadline(s, 'staff-informed')) ? undefined : `this was already recorded (${s.learning?.staffInformedOn ?? 'done'})`),
    check: (s, l) => notBefore('on', l.on, 'the conclusion of the review', findDeadline(s, 'staff-informed')?.clock.start),
    apply: (s, l) => {
      s.learning = { ...s.learning, staffInformedOn: l.on };
      const closes = closesWhenDone(s, s.stage as 'PUBLISHED' | 'LEARNING', ['staff-informed']) === 'CLOSED';
      return {
        ...(closes && { to: 'CLOSED' as const, closedBecause: 'review concluded and its learning shared' }),
        what: `Staff told of the findings (${l.on})${closes ? '; case closed' : ''}`,
        meets: [{ kind: 'staff-informed', on: l.on }],
      };
    },
  }),

  defer: step({
    command: 'defer',
    description:
      'Publication deferred by a parallel process (police investigation, inquest, trial): reason, revised target, Panel told. The statutory 6-month date does not move; the deferral counts as the reasons for the delay.',
    from: ['LCSPR', 'SIGN_OFF'],
    clocks: { moves: ['lcspr-publication', 'report-to-panel', 'report-to-secretary-of-state'], meets: ['delay-reasons'] },
    input: DeferInput,
    pastDates: ['panelToldOn'],
    ready: lcsprStarted,
    check: (s, d) => {
      const publication = findDeadline(s, 'lcspr-publication');
      const current = publication?.revisedTarget ?? s.signOff?.executive?.plannedPublicationOn ?? publication?.due;
      return (
        (current !== undefined && d.newDate <= current ? `newDate: ${d.newDate} is not later than the current target (${current}): a deferral moves publication later` : undefined) ??
        notBefore('panelToldOn', d.panelToldOn, 'the LCSPR initiation', s.lcspr?.initiatedOn)
      );
    },
    apply: (s, d, { now, rules }) => {
      const publication = findDeadline(s, 'lcspr-publication');
      const afterStatutoryDate = publication?.due !== undefined && publication.due < d.panelToldOn;
      s.deferrals.push({ ...d, at: now.toISOString(), ...(afterStatutoryDate && { afterStatutoryDate }) });
      const exec = s.signOff?.executive;
      if (exec?.plannedPublicationOn !== undefined) exec.plannedPublicationOn = d.newDate;
      if (rules === 2 && publication && isOpen(publication) && (publication.due === undefined || d.newDate > publication.due)) {
        // Cases recorded before truthful records: the deferral moved the publication date itself.
        publication.clock.setDue = d.newDate;
        applyEffects(s, { what: '', moves: [{ kind: 'lcspr-publication' }] }, now);
      }
      if (!s.lcspr!.delayReasonsSentOn) s.lcspr!.delayReasonsSentOn = d.panelToldOn;
      return {
        what:
          `Publication deferred (reason recorded): revised target ${d.newDate}; the National Panel was told on ${d.panelToldOn}` +
          (publication?.due ? `. The statutory date stays ${publication.due}${afterStatutoryDate ? ' (already passed when deferred)' : ''}` : ''),
        moves: [
          ...(rules === 2 || !isOpen(publication) ? [] : [{ kind: 'lcspr-publication' as const, revisedTarget: d.newDate }]),
          ...(exec?.plannedPublicationOn !== undefined
            ? [
                { kind: 'report-to-panel' as const, start: d.newDate },
                { kind: 'report-to-secretary-of-state' as const, start: d.newDate },
              ]
            : []),
        ],
        meets: isOpen(findDeadline(s, 'delay-reasons')) ? [{ kind: 'delay-reasons', on: d.panelToldOn }] : [],
      };
    },
  }),

  amend: AmendStep,

  withdraw: step({
    command: 'withdraw',
    description: 'Withdraw the case (recorded in error, criteria not met, other): reminders stop, the record is kept',
    from: OPEN_STAGES,
    to: ['CLOSED'],
    clocks: {},
    input: WithdrawInput,
    apply: (s, w, { now }) => {
      s.withdrawal = { ...w, at: now.toISOString() };
      return { to: 'CLOSED', route: 'withdrawn', closedBecause: `withdrawn (${w.reason})`, what: `Case withdrawn (${w.reason}); open reminders stopped, the record is kept` };
    },
  }),
} as const;

export type StepName = keyof typeof STEPS;
export const STEP_NAMES = Object.keys(STEPS) as StepName[];

/** The input each step takes, by its update/signal name. */
export type StepInputs = { [N in StepName]: (typeof STEPS)[N] extends { input: Check<infer T> } ? T : never };

/** Every stage a step leads to, for the lifecycle table. */
export function leadsTo(name: StepName): readonly Stage[] {
  const st: { to?: readonly Stage[] } = STEPS[name];
  return st.to ?? [];
}

// Clocks that open without a step ----------------------------------------------------------------

/**
 * The reasons for a delay are owed from the working day after the 6-month date passes with the
 * LCSPR unpublished and no reasons sent (DESIGN.md §6), whether or not any email went. Day 0 is the
 * 6-month date itself; the notice waits for working hours. Returns whether it opened.
 */
export function openDelayReasonsIfOwed(s: IncidentState, ctx: StepContext): boolean {
  const publication = findDeadline(s, 'lcspr-publication');
  if (!isOpen(publication) || !publication.due || !publication.dueAt) return false;
  if (ctx.now.getTime() <= Date.parse(publication.dueAt)) return false;
  if (s.lcspr?.delayReasonsSentOn || findDeadline(s, 'delay-reasons')) return false;
  applyEffects(s, { what: '', opens: [{ kind: 'delay-reasons', start: publication.due, noticeInWorkingHours: true }] }, ctx.now);
  s.events.push({ at: ctx.now.toISOString(), what: `The LCSPR's 6-month publication date (${publication.due}) passed unpublished: the reasons for the delay are owed to the National Panel` });
  s.revision++;
  return true;
}

/** Open deadlines of a kind, for the email hint and the CLI's "next thing to do". */
export { openDeadlineOf };
