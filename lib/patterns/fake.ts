// Deterministic fake credentials for examples, tests, docs and the demo. Built at runtime so
// no literal key sits in the repository (secret scanners stay quiet on our own tree), and
// deterministic so a test that fails fails the same way twice.

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const HEX = '0123456789abcdef';
export const B64URL = ALNUM + '-_';

/** xorshift32: tiny, seedable, good enough to spread characters. */
function rng(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let x = h || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** `length` characters from `alphabet`, always the same for the same seed. */
export function fakeToken(seed: string, length: number, alphabet: string = ALNUM): string {
  const next = rng(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

/** Joins pieces so literal vendor prefixes never appear whole in source: fake('sk-', 'ant-', ...). */
export function fake(...pieces: string[]): string {
  return pieces.join('');
}
