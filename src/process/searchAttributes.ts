/**
 * The custom search attributes that make the Temporal Web UI a case board.
 * No personal data goes in them: stage, dates, flags and agency ids only.
 * No Node imports: workflow code upserts them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const KscpStage = defineSearchAttributeKey('KscpStage', SearchAttributeType.KEYWORD);
export const KscpNextDeadline = defineSearchAttributeKey('KscpNextDeadline', SearchAttributeType.DATETIME);
export const KscpNextDeadlineName = defineSearchAttributeKey('KscpNextDeadlineName', SearchAttributeType.KEYWORD);
export const KscpOverdue = defineSearchAttributeKey('KscpOverdue', SearchAttributeType.BOOL);
export const KscpNotifyingAgency = defineSearchAttributeKey('KscpNotifyingAgency', SearchAttributeType.KEYWORD);
/** The review route once known: not-notifiable, lcspr, national-review, no-further-review, withdrawn. */
export const KscpRoute = defineSearchAttributeKey('KscpRoute', SearchAttributeType.KEYWORD);

/** Every key, for registering them on a server (`npm start`, tests). */
export const SEARCH_ATTRIBUTE_KEYS = [KscpStage, KscpNextDeadline, KscpNextDeadlineName, KscpOverdue, KscpNotifyingAgency, KscpRoute];
