// A small Dockerfile reader for the static image tests: enough of the syntax for our own files
// (line continuations, comments, JSON and shell forms, stages); not a general parser.

export interface Instruction {
  keyword: string; // upper case, e.g. COPY
  /** The arguments as written, continuation lines joined. */
  text: string;
  /** Flags such as --from=build, and the remaining words (a JSON array's items for the exec form). */
  flags: Record<string, string>;
  args: string[];
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  comments: string[];
  stages: Stage[];
}

export function parseDockerfile(source: string): Dockerfile {
  const comments: string[] = [];
  const stages: Stage[] = [];
  let pending = '';
  for (const line of source.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) {
      if (!pending) comments.push(line.replace(/^\s*#\s?/, ''));
      continue; // comment lines inside a continued instruction are dropped, as Docker does
    }
    pending += pending ? ` ${line.trim()}` : line.trim();
    if (pending.endsWith('\\')) {
      pending = pending.slice(0, -1).trimEnd();
      continue;
    }
    if (pending) addInstruction(pending, stages);
    pending = '';
  }
  if (pending) addInstruction(pending, stages);
  return { comments, stages };
}

function addInstruction(line: string, stages: Stage[]): void {
  const [, keyword = '', text = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
  const instruction = { keyword: keyword.toUpperCase(), text, ...splitArgs(text) };
  if (instruction.keyword === 'FROM') {
    const [image = '', as, name] = instruction.args;
    stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
  }
  const stage = stages.at(-1);
  if (!stage) throw new Error(`${keyword} before the first FROM`);
  stage.instructions.push(instruction);
}

function splitArgs(text: string): { flags: Record<string, string>; args: string[] } {
  const flags: Record<string, string> = {};
  const words = text.split(/\s+/).filter(Boolean);
  while (words[0]?.startsWith('--')) {
    const [flag = '', value = ''] = words.shift()!.slice(2).split(/=(.*)/s);
    flags[flag] = value;
  }
  const rest = words.join(' ');
  if (rest.startsWith('[')) {
    try {
      return { flags, args: JSON.parse(rest) as string[] };
    } catch {
      // not JSON after all: the shell form
    }
  }
  return { flags, args: words };
}

/** The stage that becomes the image. */
export const finalStage = (dockerfile: Dockerfile): Stage => dockerfile.stages.at(-1)!;

/** Whether a .dockerignore (its patterns in order, `!` re-including) keeps `path` out of the context. */
export function isIgnored(path: string, dockerignore: string): boolean {
  const patterns = dockerignore
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negate = pattern.startsWith('!');
    const re = globToRegExp(pattern.slice(negate ? 1 : 0).replace(/^\/+|\/+$/g, ''));
    if (prefixes.some((p) => re.test(p))) ignored = !negate;
  }
  return ignored;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) (re += '(?:.*/)?'), (i += 2);
    else if (glob.startsWith('**', i)) (re += '.*'), (i += 1);
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
