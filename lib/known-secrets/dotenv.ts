// Reads dotenv files (NanoClaw's `.env`, OpenClaw's `~/.openclaw/.env`) into name/value pairs.
// Only what the guardian needs: `KEY=value`, `export KEY=value`, single/double quotes,
// `#` comments, escaped newlines in double quotes. Values stay in memory; callers never write them.

export interface EnvEntry {
  name: string;
  value: string;
  line: number;
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

export function parseDotenv(text: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i] as string);
    if (!m) continue;
    const name = m[1] as string;
    let raw = (m[2] as string).trim();
    let value: string;
    if (raw.startsWith('"')) {
      // a double-quoted value may span lines
      let j = i;
      while (!/(^|[^\\])"\s*(#.*)?$/.test(raw.slice(1)) && j + 1 < lines.length) raw += '\n' + lines[++j];
      i = j;
      const end = raw.lastIndexOf('"');
      value = raw.slice(1, end > 0 ? end : undefined).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1);
      value = raw.slice(1, end > 0 ? end : undefined);
    } else {
      value = raw.replace(/\s+#.*$/, '');
    }
    out.push({ name, value, line: i + 1 });
  }
  return out;
}
