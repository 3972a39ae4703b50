// Benign benchmark inputs built from real files on disk (installed packages), so the
// throughput number reflects text an agent actually moves: JSON metadata, JavaScript
// source, and an HTML docs page with install instructions and code blocks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

function collect(dir: string, suffix: string, limitBytes: number, acc: string[] = [], state = { bytes: 0 }): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return acc;
  }
  for (const name of entries) {
    if (state.bytes >= limitBytes) break;
    const full = join(dir, name);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) collect(full, suffix, limitBytes, acc, state);
    else if (name.endsWith(suffix) && st.size < 256 * 1024) {
      const text = readFileSync(full, 'utf8');
      acc.push(text);
      state.bytes += text.length;
    }
  }
  return acc;
}

export function benignJson(size: number): string {
  const docs = collect(join(ROOT, 'node_modules'), 'package.json', size * 2).map((t) => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return null;
    }
  });
  return JSON.stringify(docs).slice(0, size);
}

export function benignCode(size: number): string {
  return collect(join(ROOT, 'node_modules', 'mockttp', 'dist'), '.js', size).join('\n').slice(0, size);
}

export function benignHtml(size: number): string {
  const section = (i: number) => `
<section id="s${i}"><h2>Installing the CLI (${i})</h2>
<p>Install with <code>npm install -g example-cli</code>, then run <code>example init</code>. If the build
fails, remove caches with <code>rm -rf node_modules dist</code> and try again. Configure your key in
<code>.env.example</code> as <code>API_KEY=sk-...</code> and load it with <code>dotenv</code>.</p>
<pre><code class="language-dockerfile">FROM node:20-slim
RUN apt-get update &amp;&amp; apt-get install -y git &amp;&amp; rm -rf /var/lib/apt/lists/*
COPY . /app
RUN npm ci &amp;&amp; npm run build</code></pre>
<p>Connect with <code>ssh -i ~/.ssh/deploy user@host</code>; check ports with <code>nc -zv host 443</code>.</p>
<table><tr><td>${'a'.repeat(40)}</td><td>7f3c9a1e${i}</td><td>2026-01-0${i % 9}</td></tr></table>
</section>`;
  let out = '<!doctype html><html><head><title>Docs</title></head><body>';
  for (let i = 0; out.length < size; i++) out += section(i);
  return out.slice(0, size);
}
