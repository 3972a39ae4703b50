// What the package ships, decided in one place: skill.json's sbom, package.json's `files` and
// the docs test all follow SHIPPED_DIRS / SHIPPED_FILES below.
//
// Ships: the runtime (bin/, lib/, host-services/, mcp-tools/), the OpenClaw hook (hooks/), the
// operator docs (README.md, SKILL.md, SPEC.md, CHANGELOG.md, docs/NANOCLAW.md), the license
// (LICENSE: npm packs it whatever `files` says) and the package files (package.json,
// package-lock.json so `npm install` gets the tested dependency tree, skill.json).
// Does not ship: test/, bench/, scripts/ (test runner, doc generators), .ci/, tsconfig.json
// (tsx runs the TypeScript without it), team-internal docs (docs/TEAM-NOTES.md,
// docs/requests-*.md) and .gitignore.
//
// `node --import tsx test/docs/shipping.ts --write` rewrites skill.json's `sbom.files` from the
// tracked files (keeping every other key and every description already written); new files get
// the first sentence of their header comment as description. The docs test fails when the sbom
// and the tracked shipped files differ.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folders shipped whole (every tracked file below them). */
export const SHIPPED_DIRS = ['bin/', 'lib/', 'host-services/', 'mcp-tools/', 'hooks/'] as const;
/** Single files shipped. */
export const SHIPPED_FILES = [
  'README.md',
  'SKILL.md',
  'SPEC.md',
  'CHANGELOG.md',
  'docs/NANOCLAW.md',
  'LICENSE',
  'package.json',
  'package-lock.json',
  'skill.json',
] as const;

/**
 * Top-level entries that do not ship (a folder with `/`). Every top-level entry of the repository
 * is either shipped (above) or listed here, so a new one (a LICENSE, a new folder) is a decision
 * the docs test asks for. `docs/` ships only docs/NANOCLAW.md.
 */
export const NOT_SHIPPED_TOP = ['test/', 'bench/', 'scripts/', '.ci/', 'docs/', 'tsconfig.json', '.gitignore'] as const;

/** npm never packs a package-lock.json, whatever `files` says; the skill archive does carry it. */
export const NOT_IN_NPM_PACK = new Set(['package-lock.json']);

export function isShipped(path: string): boolean {
  return (SHIPPED_FILES as readonly string[]).includes(path) || SHIPPED_DIRS.some((d) => path.startsWith(d));
}

/** Files in the repository: `git ls-files` in a checkout, otherwise a walk of the folder. */
export function trackedFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    // a file deleted in the working tree but not yet in the index is not there to ship
    return out
      .split('\0')
      .filter((p) => p !== '')
      .filter((p) => {
        try {
          return statSync(join(ROOT, p)).isFile();
        } catch {
          return false;
        }
      })
      .sort();
  } catch {
    return walk(ROOT).sort();
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (e.isFile()) out.push(relative(ROOT, full).split(sep).join('/'));
  }
  return out;
}

export function shippedFiles(): string[] {
  return trackedFiles().filter(isShipped);
}

export interface SbomFile {
  path: string;
  required: boolean;
  description: string;
}

const FIXED_DESCRIPTIONS: Record<string, string> = {
  'README.md': 'Overview, the two commands, per-process setup and the command list',
  'SKILL.md': 'Skill instructions: when and how operators and agents use the guardian',
  'SPEC.md': 'What is implemented: schemas, configuration, pattern table, safety contract, fail-open/fail-closed table',
  'CHANGELOG.md': 'Version history',
  LICENSE: 'MIT license text (copyright clawsec-traffic-guardian contributors)',
  'docs/NANOCLAW.md': 'Wiring NanoClaw containers: proxy and CA variables, OneCLI chaining, the MCP tools over file IPC',
  'package.json': 'npm package manifest: bin, dependencies, scripts',
  'package-lock.json': 'Pinned dependency tree that npm install follows',
  'skill.json': 'ClawSec skill manifest and SBOM',
  'hooks/openclaw-traffic-guardian-hook/HOOK.md': 'OpenClaw hook metadata (events, requirements) and documentation',
  'hooks/openclaw-traffic-guardian-hook/package.json': 'Marks the hook folder as an ES module package (no dependencies)',
  'lib/finding.ts': 'The clawsec-traffic-finding/v1 schema: base fields, optional extras, family ids',
  'lib/patterns/types.ts': 'The pattern record: id, family, direction, severity, keywords, regex, allow-list, assess, examples',
  'lib/scan/types.ts': 'Scanner API types: scan request, parts, limits',
};

/** Files the runtime cannot do without; the rest (docs, manifests) are informational. */
export function isRequired(path: string): boolean {
  if (path === 'package.json' || path === 'SKILL.md' || path === 'skill.json') return true;
  return /\.(ts|mjs|json)$/.test(path) && !path.endsWith('package-lock.json') && SHIPPED_DIRS.some((d) => path.startsWith(d));
}

/** The first sentence of a source file's header comment, or a description from its folder. */
export function describe(path: string): string {
  const fixed = FIXED_DESCRIPTIONS[path];
  if (fixed) return fixed;
  const text = readFileSync(join(ROOT, path), 'utf8');
  const lines = text.split('\n');
  let i = lines[0]?.startsWith('#!') ? 1 : 0;
  const comment: string[] = [];
  for (; i < lines.length; i++) {
    const m = /^\s*\/\/ ?(.*)$/.exec(lines[i] ?? '');
    if (!m) break;
    comment.push(m[1] ?? '');
  }
  const joined = comment.join(' ').replace(/\s+/g, ' ').trim();
  const sentence = (/^(.*?[.?])(?:\s|$)/.exec(joined)?.[1] ?? joined).replace(/[.:]$/, '');
  if (sentence) return sentence.length > 200 ? `${sentence.slice(0, 200).replace(/\s+\S*$/, '')} ...` : sentence;
  if (path.startsWith('lib/patterns/')) return `Pattern records (${path.split('/').at(-1)?.replace(/\.ts$/, '')})`;
  return path;
}

export function sbomFiles(previous: SbomFile[] = []): SbomFile[] {
  const known = new Map(previous.map((f) => [f.path, f.description]));
  return shippedFiles().map((path) => ({ path, required: isRequired(path), description: known.get(path) ?? describe(path) }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--write')) {
  const file = join(ROOT, 'skill.json');
  const skill = JSON.parse(readFileSync(file, 'utf8')) as { sbom?: { files?: SbomFile[] } };
  skill.sbom = { ...skill.sbom, files: sbomFiles(skill.sbom?.files ?? []) };
  writeFileSync(file, `${JSON.stringify(skill, null, 2)}\n`);
  process.stdout.write(`skill.json: ${skill.sbom.files?.length} files in the sbom\n`);
}
