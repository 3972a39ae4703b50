// Undo JSON string escapes so `-----BEGIN RSA PRIVATE KEY-----\nMIIE...` inside a JSON body
// reads like the raw file. Unknown escapes are left as they are (never throws).
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g;
const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function hasJsonEscapes(text: string): boolean {
  return text.includes('\\');
}

export function jsonUnescape(text: string): string {
  return text.replace(ESCAPE, (_m, hex: string | undefined, ch: string | undefined) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : SIMPLE[ch as string] ?? '',
  );
}
