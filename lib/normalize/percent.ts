// Repeated percent-decoding (double-encoded `%252F` is common in exfil URLs). Runs of %XX are
// decoded as UTF-8 bytes; invalid sequences become U+FFFD instead of throwing.
const RUN = /(?:%[0-9a-fA-F]{2})+/g;
const HAS = /%[0-9a-fA-F]{2}/;

export function hasPercentEscapes(text: string): boolean {
  return HAS.test(text);
}

export function percentDecodeOnce(text: string): string {
  return text.replace(RUN, (run) => {
    const bytes = Buffer.alloc(run.length / 3);
    for (let i = 0, j = 0; i < run.length; i += 3, j++) bytes[j] = parseInt(run.slice(i + 1, i + 3), 16);
    return bytes.toString('utf8');
  });
}

/** Decode until stable or `maxRounds` reached. */
export function percentDecode(text: string, maxRounds = 3): string {
  let cur = text;
  for (let i = 0; i < maxRounds && hasPercentEscapes(cur); i++) {
    const next = percentDecodeOnce(cur);
    if (next === cur) break;
    cur = next;
  }
  return cur;
}
