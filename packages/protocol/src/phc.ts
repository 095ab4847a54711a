/**
 * argon2 PHC strings ($argon2id$v=19$m=19456,t=2,p=1$salt$hash) and the cost ceiling both
 * tiers hold them to: argon2 runs at whatever cost a stored hash names, so a hash planted in
 * the database (or sent over the bus) could otherwise make one login take gigabytes or minutes.
 */

export interface Argon2Cost {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

export interface Argon2Phc extends Argon2Cost {
  algorithm: 'argon2id' | 'argon2i' | 'argon2d';
  /** 16 (0x10) when the string has no v=, as the PHC format says. */
  version: number;
}

/** OWASP's argon2id set (19 MiB, 2 passes, 1 lane). */
export const OWASP_ARGON2_COST: Argon2Cost = { memoryKib: 19456, timeCost: 2, parallelism: 1 };

/** The most a hash may cost: OWASP's set ×4. The Back End refuses anything above it. */
export const MAX_ARGON2_COST: Argon2Cost = { memoryKib: 4 * 19456, timeCost: 4 * 2, parallelism: 4 * 1 };

// Strict on purpose: parameters in this order only, bounded digits, plain base64 salt and hash.
// argon2 libraries accept looser forms; whatever this does not parse is never verified.
const PHC = /^\$(argon2id|argon2i|argon2d)(?:\$v=(\d{1,3}))?\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}$/;

/** The parameters of an argon2 PHC string, or undefined when it is not one we accept. */
export function parseArgon2Phc(hash: string): Argon2Phc | undefined {
  const match = PHC.exec(hash);
  if (!match) return undefined;
  const [, algorithm, version, m, t, p] = match;
  return {
    algorithm: algorithm as Argon2Phc['algorithm'],
    version: version === undefined ? 16 : Number(version),
    memoryKib: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
  };
}

/** Why a PHC string's cost is refused (e.g. "m=4194304 is above 77824"), or undefined when it is within `caps`. */
export function argon2CostProblem(phc: Argon2Cost, caps: Argon2Cost = MAX_ARGON2_COST): string | undefined {
  const over = [
    phc.memoryKib > caps.memoryKib ? `m=${phc.memoryKib} is above ${caps.memoryKib}` : '',
    phc.timeCost > caps.timeCost ? `t=${phc.timeCost} is above ${caps.timeCost}` : '',
    phc.parallelism > caps.parallelism ? `p=${phc.parallelism} is above ${caps.parallelism}` : '',
  ].filter(Boolean);
  return over.length ? over.join(', ') : undefined;
}

/**
 * What the Back End says about a hash it is asked to store: anything that claims to be argon2
 * must parse and stay within MAX_ARGON2_COST. Other strings (the textbook's clients) pass;
 * the Front End never verifies them.
 */
export function storedHashProblem(hash: string): string | undefined {
  if (!hash.startsWith('$argon2')) return undefined;
  const phc = parseArgon2Phc(hash);
  if (!phc) return 'hash is not a well-formed argon2 PHC string';
  const problem = argon2CostProblem(phc);
  return problem && `hash costs too much to verify (${problem})`;
}
