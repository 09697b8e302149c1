/**
 * Who a reminder goes to (DESIGN.md §4): the owner, plus the escalation of its level for a
 * statutory deadline; an agency's own safeguarding lead is added when its response is due or
 * overdue. A policy target (the website period, learning, the Panel's answer) reaches its owner
 * only and is never escalated. Each role once.
 */
import type { AgencyRole, Role } from './roles';
import { REMINDER_LEVELS, timescale, type ReminderLevel, type TimescaleName } from './timescales';

export function recipientsFor(kind: TimescaleName, owner: Role, level: ReminderLevel): Role[] {
  if (!timescale(kind).statutory) return [owner];
  const roles: Role[] = [owner, ...REMINDER_LEVELS[level].alsoTo];
  const agency = /^agency:([^:]+):contact$/.exec(owner);
  if (agency && level >= 4) roles.splice(1, 0, `agency:${agency[1]}:safeguarding-lead` as AgencyRole);
  return [...new Set(roles)];
}
