/**
 * The README as data: its sections, and the commands of the CLI section's command block as a user
 * would type them (comment-only continuation lines dropped, trailing `# …` comments removed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_FILE = join(new URL('../..', import.meta.url).pathname, 'README.md');

export function readme(): string {
  return readFileSync(README_FILE, 'utf8');
}

/** The text of the `## <heading>` section (up to the next `## `). */
export function readmeSection(heading: string, text = readme()): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "## ${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Every command of the first ```sh block of a section, without its comment; `\` continuation lines joined. */
export function commandsOf(section: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('the section has no ```sh block');
  const commands: string[] = [];
  let continued = false;
  for (const raw of block[1]!.split('\n')) {
    const line = raw.replace(/(^|\s+)#\s.*$/, '').trim();
    if (line === '') { continued = false; continue; }
    const text = line.replace(/\s*\\$/, '');
    if (continued) commands[commands.length - 1] += ` ${text}`; else commands.push(text);
    continued = line.endsWith('\\');
  }
  return commands;
}

/** `<event id>`-style placeholders of a command. */
export function placeholdersOf(command: string): string[] {
  return [...command.matchAll(/<([a-z][a-z ]*)>/g)].map((m) => m[0]);
}
