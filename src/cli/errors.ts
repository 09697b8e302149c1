/** How `kscp` fails: one clear line and an exit code a script can test. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  /** The input is malformed: a flag, a date, a field of the JSON file. */
  badInput: 2,
  /** The case refused it: wrong stage, duplicate reference, closed case. */
  refused: 3,
  /** No case with that reference. */
  notFound: 4,
  /** Temporal (or its worker) cannot be reached. */
  unavailable: 5,
  /** The person answered "no" at an interactive confirmation: nothing was done. */
  cancelled: 6,
  /**
   * A case needs attention (docs/operations.md): `kscp doctor` found something to repair, or a
   * reading command could not read a case (it showed the others and says which and why).
   */
  attention: 7,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const badInput = (message: string): CliError => new CliError(message, EXIT.badInput);
