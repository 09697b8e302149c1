/**
 * Questions in the terminal, one answer per line, for `kscp notify` and `kscp la-decision`
 * without their options. Works the same whether a person types the answers (a TTY) or a script
 * pipes them in. Questions, reasons and the summary go to stderr, so stdout keeps only the
 * result (the workflow id last). If stdin ends before the last answer, nothing is done.
 */
import readline from 'node:readline';
import { CliError, EXIT } from './errors';

export interface Asker {
  /** Ask until `parse` accepts the answer; `parse` returns the value or throws `Invalid` with the reason. */
  ask<T>(question: string, parse: (answer: string) => T, field: string): Promise<T>;
  /** Write a line for the person answering (stderr). */
  say(text: string): void;
  close(): void;
}

/** A bad answer: the reason is shown and the question asked again. */
export class Invalid extends Error {}

export function createAsker(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr, isTTY = process.stdin.isTTY === true): Asker {
  const rl = readline.createInterface({ input, output: isTTY ? output : undefined, terminal: isTTY });
  // Ctrl-C at a question: nothing has been started yet, so stop at once (readline would only pause).
  rl.on('SIGINT', () => {
    rl.close();
    output.write('\nkscp: interrupted: nothing was started or recorded\n');
    process.exit(130);
  });
  // Lines are buffered as they arrive, so a script may pipe every answer at once.
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question, parse, field) {
      for (;;) {
        output.write(question);
        const next = await lines.next();
        if (next.done) {
          if (!isTTY) output.write('\n');
          throw new CliError(`standard input ended before the answer to ${field}: nothing was started or recorded`, EXIT.badInput);
        }
        const answer = String(next.value).trim();
        // Echo piped answers, so a transcript reads as question and answer.
        if (!isTTY) output.write(`${answer}\n`);
        try {
          return parse(answer);
        } catch (err) {
          if (!(err instanceof Invalid)) throw err;
          output.write(`  ${field}: ${err.message}. Please answer again.\n`);
        }
      }
    },
    say(text) {
      output.write(text + '\n');
    },
    close() {
      rl.close();
    },
  };
}

/** yes/y/no/n, any case. */
export function yesNo(answer: string): boolean {
  const a = answer.toLowerCase();
  if (a === 'yes' || a === 'y') return true;
  if (a === 'no' || a === 'n') return false;
  throw new Invalid(`answer yes or no, not ${JSON.stringify(answer)}`);
}

/** Ask to go ahead; a "no" stops here with nothing done (exit code EXIT.cancelled). */
export async function confirm(asker: Asker, question: string): Promise<void> {
  const go = await asker.ask(`${question} [yes/no]: `, yesNo, 'confirmation');
  if (!go) throw new CliError('cancelled at the confirmation: nothing was started or recorded', EXIT.cancelled);
}
