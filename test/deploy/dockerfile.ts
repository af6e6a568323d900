// Reads the repository's Dockerfile into stages of instructions, so the deploy tests exercise the
// steps, ENTRYPOINT, CMD and HEALTHCHECK the file really has (there is no Docker daemon where the
// tests run). Only what this project's Dockerfile uses: comments, `\` continuations, JSON (exec)
// forms for ENTRYPOINT/CMD/HEALTHCHECK CMD.
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
}

export interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG lines before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(file: string): Dockerfile {
  const lines = readFileSync(file, 'utf8').split('\n');
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of lines) {
    const trimmed = line.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (trimmed.startsWith('#')) continue; // a comment inside a continued instruction
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1).trim()} `;
      continue;
    }
    const whole = `${pending}${trimmed}`.trim();
    pending = '';
    const space = whole.search(/\s/);
    instructions.push({ keyword: whole.slice(0, space).toUpperCase(), args: whole.slice(space + 1).trim() });
  }
  if (pending !== '') throw new Error(`${file}: the last instruction ends with a continuation`);

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`cannot read FROM ${instruction.args}`);
      const from = match[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => globalArgs[name] ?? '');
      stages.push({ from, name: match[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${instruction.keyword} before the first FROM`);
      const [name, value] = instruction.args.split('=');
      globalArgs[name!] = value ?? '';
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The one instruction of a kind in a stage (ENTRYPOINT, CMD, HEALTHCHECK...); throws when absent or repeated. */
export function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((i) => i.keyword === keyword);
  if (found.length !== 1) throw new Error(`expected one ${keyword} in the stage FROM ${stage.from}, found ${found.length}`);
  return found[0]!;
}

/** An exec-form (JSON array) argument list. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** ENV A=1 B=2 (the key=value form only). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of instruction.args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`ENV in a form this reader does not take: ${instruction.args}`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** HEALTHCHECK [--option=value ...] CMD [exec form]. */
export function healthcheckOf(stage: Stage): { options: Record<string, string>; command: string[] } {
  const match = /^((?:--\S+\s+)*)CMD\s+(\[.*\])$/.exec(only(stage, 'HEALTHCHECK').args);
  if (!match) throw new Error('HEALTHCHECK is not of the form [--options] CMD [exec form]');
  const options = Object.fromEntries(
    match[1]!
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((option) => option.replace(/^--/, '').split('=') as [string, string]),
  );
  return { options, command: execForm(match[2]!) };
}
