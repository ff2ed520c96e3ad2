/**
 * A Dockerfile read into instructions and stages: just enough structure for the static checks in
 * dockerfile-rules.ts (images cannot be built on CI machines without a Docker engine).
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  readonly keyword: string;
  /** Flags such as `--from=build` or `--chown=node:node`, by name. */
  readonly flags: Readonly<Record<string, string>>;
  /** The arguments after the flags: JSON form parsed, shell form split on whitespace. */
  readonly args: readonly string[];
  /** The raw text after the keyword and flags, continuation lines joined. */
  readonly text: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly stages: readonly Stage[];
  /** Comment lines (without `#`), e.g. `probe: ...` notes. */
  readonly comments: readonly string[];
}

export function parseDockerfile(source: string): Dockerfile {
  const lines = source.split('\n');
  const comments: string[] = [];
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].trim();
    if (first === '') continue;
    if (first.startsWith('#')) {
      comments.push(first.slice(1).trim());
      continue;
    }
    const start = i + 1;
    let text = first;
    // Continuation lines end with a backslash; comment lines inside a continuation are dropped.
    while (text.endsWith('\\') && i + 1 < lines.length) {
      text = text.slice(0, -1);
      i++;
      const next = lines[i].trim();
      if (!next.startsWith('#')) text += ' ' + next;
    }
    const m = /^(\S+)\s*(.*)$/s.exec(text)!;
    let rest = m[2];
    const flags: Record<string, string> = {};
    for (let f = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest); f; f = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest)) {
      flags[f[1]] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
    instructions.push({
      keyword: m[1].toUpperCase(),
      flags,
      args: splitArgs(rest),
      text: rest.trim(),
      line: start,
    });
  }

  const stages: Stage[] = [];
  let current: Instruction[] | undefined;
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      current = [];
      const as = ins.args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({
        image: ins.args[0],
        name: as >= 0 ? ins.args[as + 1] : undefined,
        instructions: current,
      });
    }
    // Instructions before the first FROM (ARG) belong to no stage.
    current?.push(ins);
  }
  return { stages, comments };
}

function splitArgs(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    } catch {
      // Not JSON: Docker treats it as shell form too.
    }
  }
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}
