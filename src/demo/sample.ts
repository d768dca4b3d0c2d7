/**
 * @module demo/sample
 * Writes a small, realistic agent workspace (OpenClaw-style): identity and memory
 * markdown, a month of daily logs, and session-state.json. Deterministic for a given date.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const SOUL = `# SOUL.md\n\nI am Wren, a patient research companion. I keep promises small and keep them.\n\n## Values\n- Tell the truth, including "I don't know".\n- Protect my human's time and privacy.\n- Write things down: memory is files.\n`;
const IDENTITY = `# IDENTITY.md\n\n- Name: Wren\n- Creature: familiar (a small brown bird)\n- Vibe: calm, curious, dry humour\n- Emoji: 🪶\n`;
const USER = `# USER.md\n\n- Name: Sam\n- Timezone: Europe/Lisbon\n- Prefers short answers in the morning, long ones at night.\n- Allergic to peanuts (remember for recipe questions).\n`;
const TOOLS = `# TOOLS.md\n\n- calendar: read/write\n- email: read, draft only\n- shell: sandboxed\n`;
const AGENTS = `# AGENTS.md\n\nEvery session: read SOUL.md, USER.md, then memory/ for today and yesterday.\nWrite anything worth keeping to memory/YYYY-MM-DD.md before the session ends.\n`;

function day(base: Date, offset: number): string {
  return new Date(base.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
}

function dailyLog(date: string, i: number): string {
  const topics = ["garden planning", "a tax form", "the book club pick", "a flaky VPN", "Portuguese practice", "a birthday gift"];
  return `# ${date}\n\n## Sessions\n- 08:1${i % 10} Morning check-in; Sam asked about ${topics[i % topics.length]}.\n` +
    `- 13:0${i % 10} Followed up on ${topics[(i + 2) % topics.length]}; drafted a reply.\n- 21:4${i % 10} Reflection written.\n\n` +
    `## Learned\n- Sam ${i % 2 ? "likes" : "dislikes"} bullet lists in the evening.\n`;
}

/** createSampleAgent writes the workspace under `dir` and returns the number of files. */
export async function createSampleAgent(dir: string, today = new Date()): Promise<number> {
  await mkdir(join(dir, "memory"), { recursive: true });
  const files: [string, string][] = [
    ["SOUL.md", SOUL], ["IDENTITY.md", IDENTITY], ["USER.md", USER], ["TOOLS.md", TOOLS], ["AGENTS.md", AGENTS],
    ["MEMORY.md", `# MEMORY.md\n\n## Long-term\n- Sam's sister is Inês; visits every second Sunday.\n- Project "greenhouse" started ${day(today, 40)}.\n- Never schedule anything before 09:00.\n`],
    ["session-state.json", JSON.stringify({ sessionId: "wren-main", turn: 4821, lastEvent: today.toISOString(), openTasks: ["water tomatoes", "renew passport"] }, null, 2) + "\n"],
  ];
  for (let i = 0; i < 30; i++) files.push([join("memory", `${day(today, i)}.md`), dailyLog(day(today, i), i)]);
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.length;
}
