// Undo JSON string escapes so `-----BEGIN RSA PRIVATE KEY-----\nMIIE...` inside a JSON body
// reads like the raw file. Unknown escapes are left as they are (never throws).
// A hand-written scan rather than a regex with a replace callback: a body of hundreds of
// thousands of escapes is hostile input, and a callback per escape was the slowest stage.

const SIMPLE: Record<number, string> = { 34: '"', 92: '\\', 47: '/', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

export function hasJsonEscapes(text: string): boolean {
  return text.includes('\\');
}

export function jsonUnescape(text: string): string {
  let i = text.indexOf('\\');
  if (i < 0) return text;
  const out: string[] = [];
  let last = 0;
  while (i >= 0 && i + 1 < text.length) {
    const c = text.charCodeAt(i + 1);
    let rep: string | undefined = SIMPLE[c];
    let len = 2;
    if (rep === undefined && c === 117 /* u */) {
      const hex = text.slice(i + 2, i + 6);
      if (HEX4.test(hex)) {
        rep = String.fromCharCode(parseInt(hex, 16));
        len = 6;
      }
    }
    if (rep === undefined) {
      i = text.indexOf('\\', i + 1);
      continue;
    }
    out.push(text.slice(last, i), rep);
    last = i + len;
    i = text.indexOf('\\', last);
  }
  out.push(text.slice(last));
  return out.join('');
}
