/**
 * @module cli/paint
 * Colour for human output on a terminal, and only there: no colour when stdout is not a
 * TTY, under --json, or when NO_COLOR is set (no-color.org).
 */

export type Tone = "good" | "warn" | "bad";

const SGR: Record<Tone, string> = { good: "32", warn: "33", bad: "31" };

export function colourOn(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** paint wraps text in an SGR colour when colour is on. */
export function paint(text: string, tone: Tone | undefined, on: boolean = colourOn()): string {
  return on && tone ? `\x1b[${SGR[tone]}m${text}\x1b[0m` : text;
}
