// Docs that cannot drift. The package docs (SKILL.md, SPEC.md, README.md, docs/NANOCLAW.md,
// CHANGELOG.md, the hook's HOOK.md) and skill.json are checked against the code and the tree:
//
//   paths      every repository path a doc names exists in the repository (rule below)
//   patterns   SPEC.md's pattern table is exactly patternTable() of the registry
//   tests      every test SPEC.md cites (`test/….test.ts` › "name") exists in that file, and every
//              row of the safety contract and the fail-open/fail-closed table cites one
//   sbom       skill.json's sbom lists exactly the shipped files (test/docs/shipping.ts), each
//              existing; package.json `files` ships the same set; shipped code imports only
//              shipped files, node built-ins and declared dependencies
//   versions   package.json, skill.json, SKILL.md frontmatter, the CHANGELOG's top entry and
//              `--version` agree; so do name, license and description
//   commands   every CLI command registered in host-services/cli/main.ts is named in README.md,
//              SKILL.md and SPEC.md
//   tools      the MCP tool names (and descriptions) in skill.json and SKILL.md are the ones
//              registerTrafficTools registers on a real MCP server
//   env        the environment variables in skill.json and SKILL.md are ENV_KEYS x both prefixes
//   hook       skill.json's hook entry matches HOOK.md's frontmatter and the install command
//
// Which paths are checked (PATH RULE). A doc names a repository path when
//   (a) a token starts with one of REPO_DIRS followed by `/` (optionally after `./`), anywhere in
//       the text (prose, inline code, code blocks, links), and is not glued to something before
//       it: a preceding letter, digit, `_`, `.`, `-`, `~`, `$`, `}` or `/` means the token is the
//       tail of another path (`~/.openclaw/hooks/`, `$HOME/...`, `NANOCLAW_ROOT/src/...`,
//       `/workspace/ipc/...`, `./clawsec/mcp-tools/...` inside NanoClaw's tree) and is skipped;
//       the token ends at the first character outside [A-Za-z0-9._/-], so `<home>/…`, `<group>`
//       and glob stars end it (`test/safety/*.test.ts` checks the folder `test/safety/`);
//   (b) or it is the target of a markdown link that is not a URL (`scheme:`) nor a bare `#anchor`;
//       it is resolved from the doc's folder, and an `#anchor` on a .md target must be a heading
//       of that file.
// Skipped, therefore: URLs, `~/…`, `$HOME/…`, `<home>/…`, `NANOCLAW_ROOT/…`, container paths
// (`/workspace/…`, `/etc/…`) and `./…` paths into other projects. A named path must be tracked
// by git (a file, or a folder holding tracked files), so a clean clone has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { BEGIN, END, patternTable } from '../../scripts/pattern-table.ts';
import { COMMANDS } from '../../host-services/cli/main.ts';
import { ENV_KEYS, envName } from '../../host-services/config/load.ts';
import { ENABLE_COMMAND, HOOK_NAME, RESTART_COMMAND } from '../../host-services/cli/commands/hook-install.ts';
import { registerTrafficTools } from '../../mcp-tools/register.ts';
import { ToolFailure, type TrafficBackend } from '../../mcp-tools/backend.ts';
import { NOT_IN_NPM_PACK, NOT_SHIPPED_TOP, ROOT, SHIPPED_DIRS, SHIPPED_FILES, isShipped, shippedFiles, trackedFiles, type SbomFile } from './shipping.ts';

type Json = Record<string, any>;

const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const readJson = (p: string): Json => JSON.parse(read(p)) as Json;

/** Docs whose repository paths must exist. */
const CHECKED_DOCS = ['README.md', 'SKILL.md', 'SPEC.md', 'CHANGELOG.md', 'docs/NANOCLAW.md', 'hooks/openclaw-traffic-guardian-hook/HOOK.md'];
/** Top-level folders of this repository; a token starting with one of them is a repository path. */
const REPO_DIRS = ['bin', 'bench', 'docs', 'hooks', 'host-services', 'lib', 'mcp-tools', 'scripts', 'test'];

const TRACKED = trackedFiles();
const TRACKED_SET = new Set(TRACKED);

function inRepo(path: string): boolean {
  const p = normalize(path).replace(/\/+$/, '');
  if (p === '' || p === '.') return true;
  if (p.startsWith('..')) return false;
  return TRACKED_SET.has(p) || TRACKED.some((f) => f.startsWith(`${p}/`));
}

// ---- markdown helpers ------------------------------------------------------------------------

export function repoPathsIn(text: string): string[] {
  const re = new RegExp(`(?<![A-Za-z0-9_.~$}/-])(?:\\./)?(?:${REPO_DIRS.map((d) => d.replace(/-/g, '\\-')).join('|')})/[A-Za-z0-9._/-]*`, 'g');
  const out = new Set<string>();
  for (const m of text.matchAll(re)) {
    const p = m[0].replace(/^\.\//, '').replace(/[.]+$/, '');
    out.add(p);
  }
  return [...out];
}

export function linkTargetsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1] as string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    out.add(target);
  }
  return [...out];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = (m[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    out.add(slug);
  }
  return out;
}

/** `---` frontmatter as key -> value; values that look like JSON (objects, quoted strings) are parsed. */
export function frontmatter(markdown: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  assert.ok(m, 'the file starts with a --- frontmatter block');
  const out: Record<string, unknown> = {};
  const lines = (m[1] as string).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const kv = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(lines[i] as string);
    if (!kv) continue;
    let raw = (kv[2] as string).trim();
    // a value on the indented lines that follow (`metadata:\n  { "openclaw": ... }`)
    while (raw === '' && i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] as string)) raw = (lines[++i] as string).trim();
    while (raw.startsWith('{') && i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] as string)) raw += (lines[++i] as string).trim();
    out[kv[1] as string] = raw.startsWith('{') || raw.startsWith('"') || raw.startsWith('[') ? JSON.parse(raw) : raw;
  }
  return out;
}

/** A markdown section from `## title` to the next `## `. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `SPEC.md has a "## ${title}" section`);
  const next = markdown.indexOf('\n## ', start + 4);
  return markdown.slice(start, next < 0 ? undefined : next);
}

// ---- test-name citations ---------------------------------------------------------------------

export interface Citation {
  file: string;
  name: string;
}

/** `` `test/x.test.ts` › "name" `` */
export function citationsIn(text: string): Citation[] {
  return [...text.matchAll(/`(test\/[A-Za-z0-9._/-]+\.test\.ts)` › "([^"]+)"/g)].map((m) => ({ file: m[1] as string, name: m[2] as string }));
}

/**
 * Names of the tests a file declares (`test(`, `it(`, `describe(` with a string literal first).
 * A template literal becomes a pattern where each `${…}` matches any text, so a cited name such as
 * "file: mode block -> error at mode" matches `file: ${name} -> error at ${path}`.
 */
export function declaredTests(source: string): Array<string | RegExp> {
  const out: Array<string | RegExp> = [];
  const re = /\b(?:test|it|describe)(?:\.(?:skip|todo|only))?\(\s*(['"`])/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    const quote = m[1] as string;
    let i = re.lastIndex;
    let raw = '';
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        raw += source.slice(i, i + 2);
        i += 2;
      } else raw += source[i++];
    }
    const unescaped = raw.replace(/\\(.)/g, '$1');
    if (quote === '`' && raw.includes('${')) {
      const parts = raw.split(/\$\{[^}]*\}/).map((s) => s.replace(/\\(.)/g, '$1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      out.push(new RegExp(`^${parts.join('.*')}$`));
    } else out.push(unescaped);
  }
  return out;
}

// ---- paths -----------------------------------------------------------------------------------

test('docs: every repository path named in the docs exists (see PATH RULE at the top of this file)', () => {
  const missing: string[] = [];
  let checked = 0;
  for (const doc of CHECKED_DOCS) {
    const text = read(doc);
    for (const p of repoPathsIn(text)) {
      checked++;
      if (!inRepo(p)) missing.push(`${doc}: ${p}`);
    }
    for (const target of linkTargetsIn(text)) {
      checked++;
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = normalize(join(dirname(doc), file));
      if (!inRepo(resolved)) {
        missing.push(`${doc}: link ${target}`);
        continue;
      }
      if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) missing.push(`${doc}: link ${target} (no such heading)`);
    }
    // in-page anchors
    for (const m of text.matchAll(/\]\(#([^)\s]+)\)/g)) {
      checked++;
      if (!anchorsOf(text).has(m[1] as string)) missing.push(`${doc}: link #${m[1]} (no such heading)`);
    }
  }
  assert.ok(checked > 40, `only ${checked} paths found: is the path rule still matching anything?`);
  assert.deepEqual(missing, [], `paths named in the docs that are not in the repository:\n${missing.join('\n')}`);
});

test('docs: the path rule finds repository paths and skips other projects, home and container paths', () => {
  const text = [
    'see `lib/finding.ts`, [spec](SPEC.md#layout) and ./bin/clawsec-traffic-guardian.mjs.',
    'not ours: ~/.openclaw/hooks/x, $HOME/.config/nanoclaw, NANOCLAW_ROOT/src/ipc.ts, /workspace/ipc/lib/x,',
    "<home>/logs/findings.jsonl, import './clawsec/mcp-tools/index.js', https://example.com/lib/x.ts",
    'globs end the token: test/safety/*.test.ts',
  ].join('\n');
  assert.deepEqual(repoPathsIn(text).sort(), ['bin/clawsec-traffic-guardian.mjs', 'lib/finding.ts', 'test/safety/']);
  assert.deepEqual(linkTargetsIn('[a](SPEC.md#layout) [b](https://x.y/z) [c](#here)'), ['SPEC.md#layout']);
  assert.ok(anchorsOf('## Fail-open / fail-closed\n').has('fail-open--fail-closed'));
  assert.ok(!inRepo('lib/no-such-file.ts'), 'a missing path is reported');
});

// ---- pattern table ---------------------------------------------------------------------------

test("docs: SPEC.md's pattern table is exactly the registry (node --import tsx scripts/pattern-table.ts --write)", () => {
  const spec = read('SPEC.md');
  const a = spec.indexOf(BEGIN);
  const b = spec.indexOf(END);
  assert.ok(a >= 0 && b > a, 'SPEC.md holds the pattern-table markers');
  assert.equal(spec.indexOf(BEGIN, a + 1), -1, 'one pattern table only');
  const table = spec.slice(a + BEGIN.length, b).trim();
  assert.equal(table, patternTable(), 'regenerate with: node --import tsx scripts/pattern-table.ts --write');
});

// ---- cited tests -----------------------------------------------------------------------------

test('docs: every test SPEC.md cites exists in the named file', () => {
  const cites = citationsIn(read('SPEC.md'));
  assert.ok(cites.length >= 30, `SPEC.md cites ${cites.length} tests`);
  const problems: string[] = [];
  const cache = new Map<string, Array<string | RegExp>>();
  for (const c of cites) {
    if (!TRACKED_SET.has(c.file)) {
      problems.push(`${c.file}: file not in the repository (cited for "${c.name}")`);
      continue;
    }
    let names = cache.get(c.file);
    if (!names) {
      names = declaredTests(read(c.file));
      cache.set(c.file, names);
    }
    if (!names.some((n) => (typeof n === 'string' ? n === c.name : n.test(c.name)))) problems.push(`${c.file}: no test named "${c.name}"`);
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('docs: every safety-contract item and every fail-open/fail-closed row cites at least one test', () => {
  const spec = read('SPEC.md');
  const safety = section(spec, 'Safety contract');
  const items = safety.split('\n').filter((l) => /^\d+\. /.test(l) || /^\| [^-]/.test(l));
  assert.ok(items.length >= 8, `safety contract has ${items.length} items`);
  // an item may continue on following lines: check each item's block
  const blocks = safety.split(/\n(?=\d+\. )/).filter((b) => /^\d+\. /.test(b));
  assert.ok(blocks.length >= 8, `${blocks.length} numbered safety items`);
  for (const block of blocks) assert.ok(citationsIn(block).length > 0, `no test cited for: ${block.split('\n')[0]}`);

  const table = section(spec, 'Fail-open / fail-closed');
  const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| surface') && !/^\|[-| ]+\|$/.test(l));
  assert.ok(rows.length >= 11, `${rows.length} rows`);
  for (const row of rows) assert.ok(citationsIn(row).length > 0, `no test cited for: ${row.slice(0, 80)}`);
});

test('docs: citation parsing handles literal, escaped and template test names', () => {
  const src = [
    "test('plain name', () => {});",
    "test('it\\'s escaped', () => {});",
    'test(`${shell} evaluates its own output`, async () => {});',
    "for (const x of xs) test(`file: ${name} -> error at ${path}`, (t) => {});",
  ].join('\n');
  const names = declaredTests(src);
  const has = (n: string) => names.some((d) => (typeof d === 'string' ? d === n : d.test(n)));
  assert.ok(has('plain name'));
  assert.ok(has("it's escaped"));
  assert.ok(has('bash evaluates its own output'));
  assert.ok(has('file: mode block -> error at mode'));
  assert.ok(!has('plain nam'));
  assert.deepEqual(citationsIn('`test/a.test.ts` › "x y"; `test/b/c.test.ts` › "z"'), [
    { file: 'test/a.test.ts', name: 'x y' },
    { file: 'test/b/c.test.ts', name: 'z' },
  ]);
});

// ---- sbom and shipped files ------------------------------------------------------------------

test("docs: skill.json's sbom lists exactly the shipped files, each existing and described", () => {
  const skill = readJson('skill.json');
  const files = skill.sbom?.files as SbomFile[];
  assert.ok(Array.isArray(files) && files.length > 50, 'sbom.files is a list');
  const paths = files.map((f) => f.path);
  assert.equal(new Set(paths).size, paths.length, 'no path twice');
  const expected = shippedFiles();
  const extra = paths.filter((p) => !expected.includes(p));
  const missing = expected.filter((p) => !paths.includes(p));
  assert.deepEqual(
    { extra, missing },
    { extra: [], missing: [] },
    'regenerate with: node --import tsx test/docs/shipping.ts --write (after git add of new files)',
  );
  for (const f of files) {
    assert.ok(existsSync(join(ROOT, f.path)), `${f.path} exists`);
    assert.equal(typeof f.required, 'boolean', `${f.path}: required`);
    assert.ok(typeof f.description === 'string' && f.description.length > 3, `${f.path}: description`);
  }
  for (const must of ['SKILL.md', 'skill.json', 'package.json', 'bin/clawsec-traffic-guardian.mjs', 'hooks/openclaw-traffic-guardian-hook/handler.ts', 'mcp-tools/index.ts']) {
    assert.ok(paths.includes(must), `${must} ships`);
  }
  assert.ok(!paths.some((p) => /^(test|bench|scripts|\.ci)\//.test(p)), 'tests, benchmarks, scripts and CI do not ship');
  // the shipping rule as written in skill.json is the one the test applies
  assert.deepEqual([...skill.shipping.included].sort(), [...SHIPPED_DIRS, ...SHIPPED_FILES].sort());
});

test('docs: every top-level entry of the repository is either shipped or deliberately not shipped', () => {
  const top = new Set(TRACKED.map((p) => (p.includes('/') ? `${p.slice(0, p.indexOf('/'))}/` : p)));
  const decided = new Set<string>([...SHIPPED_DIRS, ...SHIPPED_FILES.filter((f) => !f.includes('/')), ...NOT_SHIPPED_TOP]);
  const undecided = [...top].filter((e) => !decided.has(e));
  assert.deepEqual(undecided, [], `decide whether these ship (test/docs/shipping.ts, then --write): ${undecided.join(', ')}`);
  const skill = readJson('skill.json');
  for (const e of NOT_SHIPPED_TOP) {
    if (e === 'docs/') continue; // docs/NANOCLAW.md ships; the rest of docs/ does not
    assert.ok((skill.shipping.excluded as string[]).includes(e), `skill.json shipping.excluded names ${e}`);
  }
});

test('docs: package.json `files` ships what the sbom lists (npm pack --dry-run)', () => {
  const pkg = readJson('package.json');
  assert.ok(Array.isArray(pkg.files), 'package.json has a files array');
  const sbom = (readJson('skill.json').sbom.files as SbomFile[]).map((f) => f.path);
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'silent', npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const packed = ((JSON.parse(out) as Json[])[0]?.files as Array<{ path: string }>).map((f) => f.path);
  // npm packs from the working tree: only tracked files count (an uncommitted draft is not shipped)
  const packedTracked = packed.filter((p) => TRACKED_SET.has(p));
  const wanted = sbom.filter((p) => !NOT_IN_NPM_PACK.has(p));
  assert.deepEqual(
    { notPacked: wanted.filter((p) => !packedTracked.includes(p)), notInSbom: packedTracked.filter((p) => !sbom.includes(p)) },
    { notPacked: [], notInSbom: [] },
  );
});

test('docs: shipped code imports only shipped files, node built-ins and declared dependencies', () => {
  const pkg = readJson('package.json');
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const builtins = new Set(builtinModules);
  const problems: string[] = [];
  for (const file of shippedFiles().filter((f) => /\.(ts|mjs|js)$/.test(f))) {
    const src = read(file);
    const specs = [
      ...src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm),
      ...src.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
      ...src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1] as string);
    for (const spec of specs) {
      if (spec.startsWith('.')) {
        const target = normalize(join(dirname(file), spec));
        if (!isShipped(target) || !TRACKED_SET.has(target)) problems.push(`${file} imports ${spec} (${target} is not shipped)`);
      } else if (spec.startsWith('node:')) {
        if (!builtins.has(spec.slice(5))) problems.push(`${file} imports unknown built-in ${spec}`);
      } else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
        if (!deps.has(name) && !builtins.has(name)) problems.push(`${file} imports ${spec}, not a dependency in package.json`);
      }
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

// ---- versions and identity -------------------------------------------------------------------

test('docs: versions agree: package.json, skill.json, SKILL.md, the CHANGELOG top entry and --version', () => {
  const pkg = readJson('package.json');
  const skill = readJson('skill.json');
  const fm = frontmatter(read('SKILL.md'));
  const top = /^## \[([^\]]+)\]/m.exec(read('CHANGELOG.md'))?.[1];
  const versions = { 'package.json': pkg.version, 'skill.json': skill.version, 'SKILL.md': fm.version, 'CHANGELOG.md': top };
  assert.match(String(pkg.version), /^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
  for (const [where, v] of Object.entries(versions)) assert.equal(v, pkg.version, `${where} says ${v}, package.json says ${pkg.version}`);
  const out = execFileSync(process.execPath, [join(ROOT, 'bin/clawsec-traffic-guardian.mjs'), '--version'], { encoding: 'utf8' });
  assert.equal(out.trim(), pkg.version);
  // versions in the CHANGELOG go down from the top
  const all = [...read('CHANGELOG.md').matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
  assert.equal(new Set(all).size, all.length, 'each version once');
});

test('docs: name, license and description agree; SKILL.md frontmatter has the clawsec fields', () => {
  const pkg = readJson('package.json');
  const skill = readJson('skill.json');
  const fm = frontmatter(read('SKILL.md'));
  for (const k of ['name', 'version', 'description', 'homepage', 'author', 'license', 'metadata']) assert.ok(fm[k], `SKILL.md frontmatter has ${k}`);
  assert.equal(fm.name, pkg.name);
  assert.equal(skill.name, pkg.name);
  assert.equal(fm.license, pkg.license);
  assert.equal(skill.license, pkg.license);
  assert.equal(fm.description, skill.description);
  assert.equal(fm.author, skill.author);
  assert.equal(fm.homepage, skill.homepage);
  assert.ok(String(skill.description).length <= 200, 'clawsec: description at most 200 characters');
  const meta = fm.metadata as Json;
  assert.deepEqual(meta.openclaw.requires.bins, skill.openclaw.requires.bins);
  assert.ok(meta.openclaw.requires.bins.includes('node'));
  assert.equal(meta.nanoclaw.requires.node, skill.nanoclaw.requires.node);
  assert.equal(pkg.engines.node, skill.nanoclaw.requires.node);
  assert.equal(pkg.engines.node, skill.openclaw.requires.node);
});

// ---- commands, tools, environment, hook ------------------------------------------------------

/**
 * Gaps in README.md (owned by the lead) reported to them and not yet fixed: tolerated, shown as a
 * diagnostic. Any other missing command fails; remove an entry once README.md names it.
 */
const README_KNOWN_GAPS = new Set<string>();

test('docs: every registered CLI command is named in README.md, SKILL.md and SPEC.md', (t) => {
  const names = COMMANDS.map((c) => c.name);
  assert.ok(names.length >= 10);
  const missing: string[] = [];
  for (const doc of ['README.md', 'SKILL.md', 'SPEC.md']) {
    const text = read(doc);
    for (const n of names) if (!text.includes(`\`${n}\``)) missing.push(`${doc}: \`${n}\``);
  }
  for (const gap of missing.filter((m) => README_KNOWN_GAPS.has(m))) t.diagnostic(`known gap, reported to the README owner: ${gap}`);
  const unexpected = missing.filter((m) => !README_KNOWN_GAPS.has(m));
  assert.deepEqual(unexpected, [], `commands not named in the docs:\n${unexpected.join('\n')}`);
  // and no doc lists a command that does not exist (the command tables)
  for (const doc of ['README.md', 'SKILL.md']) {
    const rows = [...read(doc).matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] as string);
    for (const r of rows) if (!['command', 'tool'].includes(r) && !r.startsWith('clawsec_')) assert.ok(names.includes(r), `${doc} lists \`${r}\`, which is not a command`);
  }
});

async function registeredTools(): Promise<Array<{ name: string; description?: string }>> {
  const backend: TrafficBackend = {
    kind: 'docs-test',
    call: async () => {
      throw new ToolFailure('INTERNAL', 'not used');
    },
  };
  const server = new McpServer({ name: 'docs-test', version: '0.0.0' });
  registerTrafficTools(server, { backend });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'docs-test-client', version: '0.0.0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
    await server.close();
  }
}

test('docs: the MCP tools in skill.json and SKILL.md are the ones registerTrafficTools registers', async () => {
  const tools = await registeredTools();
  const names = tools.map((t) => t.name);
  assert.equal(names.length, 3);
  const skill = readJson('skill.json');
  const meta = frontmatter(read('SKILL.md')).metadata as Json;
  assert.deepEqual(skill.nanoclaw.mcp_tools, names, 'skill.json nanoclaw.mcp_tools');
  assert.deepEqual(skill.openclaw.mcp.tools, names, 'skill.json openclaw.mcp.tools');
  assert.deepEqual(meta.nanoclaw.mcp_tools, names, 'SKILL.md metadata.nanoclaw.mcp_tools');
  assert.deepEqual(meta.openclaw.mcp_tools, names, 'SKILL.md metadata.openclaw.mcp_tools');
  assert.deepEqual(
    skill.nanoclaw.mcp_tool_descriptions,
    Object.fromEntries(tools.map((t) => [t.name, t.description])),
    'skill.json nanoclaw.mcp_tool_descriptions are the tools\' own descriptions',
  );
  for (const doc of ['SKILL.md', 'SPEC.md', 'docs/NANOCLAW.md']) {
    for (const n of names) assert.ok(read(doc).includes(`\`${n}\``), `${doc} names ${n}`);
  }
});

test("docs: environment variables in skill.json and SKILL.md are the loader's ENV_KEYS under both prefixes", () => {
  const openclaw = ENV_KEYS.map((k) => envName('openclaw', k));
  const nanoclaw = ENV_KEYS.map((k) => envName('nanoclaw', k));
  assert.ok(openclaw.every((v) => v.startsWith('OPENCLAW_TRAFFIC_GUARDIAN_')));
  assert.ok(nanoclaw.every((v) => v.startsWith('NANOCLAW_TRAFFIC_GUARDIAN_')));
  const skill = readJson('skill.json');
  const meta = frontmatter(read('SKILL.md')).metadata as Json;
  assert.deepEqual(skill.openclaw.runtime.optional_env, openclaw);
  assert.deepEqual(skill.nanoclaw.runtime.optional_env, nanoclaw);
  assert.deepEqual(skill.openclaw.runtime.required_env, []);
  assert.deepEqual(skill.nanoclaw.runtime.required_env, []);
  assert.deepEqual(meta.openclaw.optional_env, openclaw);
  assert.deepEqual(meta.nanoclaw.optional_env, nanoclaw);
  // SPEC.md's configuration table names every suffix
  const config = section(read('SPEC.md'), 'Configuration');
  for (const k of ENV_KEYS) assert.ok(config.includes(`\`${k}\``), `SPEC.md configuration names ${k}`);
});

test("docs: skill.json's hook entry matches HOOK.md and the hook-install command", () => {
  const skill = readJson('skill.json');
  const hooks = skill.openclaw.hooks as Json[];
  assert.equal(hooks.length, 1);
  const h = hooks[0] as Json;
  assert.equal(h.name, HOOK_NAME);
  assert.equal(h.path, `hooks/${HOOK_NAME}`);
  assert.ok(inRepo(`${h.path}/HOOK.md`) && inRepo(`${h.path}/handler.ts`));
  const fm = frontmatter(read(`${h.path}/HOOK.md`));
  assert.equal(fm.name, HOOK_NAME);
  const meta = fm.metadata as Json;
  assert.deepEqual(h.events, meta.openclaw.events);
  assert.deepEqual(meta.openclaw.requires.bins, ['node']);
  assert.equal(h.enable, ENABLE_COMMAND);
  assert.equal(h.restart, RESTART_COMMAND);
  assert.equal(h.install, 'clawsec-traffic-guardian hook-install');
  assert.ok(COMMANDS.some((c) => c.name === 'hook-install'));
  assert.deepEqual((frontmatter(read('SKILL.md')).metadata as Json).openclaw.hooks, [HOOK_NAME]);
  for (const doc of ['SKILL.md']) {
    assert.ok(read(doc).includes(ENABLE_COMMAND), `${doc} shows \`${ENABLE_COMMAND}\``);
    for (const e of h.events as string[]) assert.ok(read(doc).includes(`\`${e}\``), `${doc} names the event ${e}`);
  }
});

test('docs: repository paths in skill.json exist', () => {
  const skill = readJson('skill.json');
  const paths: string[] = [skill.shipping.entry, skill.nanoclaw.integration.docs, skill.nanoclaw.integration.mcp_tools_entry, skill.nanoclaw.integration.ipc_handler, skill.nanoclaw.integration.ipc_watcher, skill.nanoclaw.integration.mcp_tools_dir, skill.nanoclaw.integration.host_services_dir];
  for (const p of paths) assert.ok(typeof p === 'string' && inRepo(p), `${p} is in the repository`);
  assert.equal(readJson('package.json').bin['clawsec-traffic-guardian'], skill.shipping.entry);
});
