// Independent detection-quality evaluation: scans every sample of the evaluation corpus with
// the real detector and reports per-family recall and precision, every miss and every false
// positive. Samples: the hand-written files in test/eval/corpus/ plus the credential-bearing
// ones generated in memory by make-corpus.ts (see there for why they are not committed).
//
//   node --import tsx test/eval/run-eval.ts            human report
//   node --import tsx test/eval/run-eval.ts --json     the metrics as JSON
//   node --import tsx test/eval/run-eval.ts --all      also list every sample's verdict
//   node --import tsx test/eval/run-eval.ts --write-baseline   record today's numbers and
//        failing samples in test/eval/baseline.json (the ratchet eval.test.ts holds CI to)
//
// A sample's file name is its expectation: `tp|fp|low . outbound|inbound . [family .] what . ext`.
//   tp   the family must be found (recall counts any severity; "strong" recall needs >= medium)
//   fp   nothing at all may be found
//   low  nothing above low may be found
// `.http` files are one raw HTTP/1.1 message, scanned the way the proxy scans it (URL, each
// header, decoded body; SSE streams also reassembled like host-services/proxy/http-tap.ts does).
// An optional first line `# dest: host:port` gives a response its upstream (a request takes
// its Host header). Any other extension is a bare body, scanned as a body to a neutral host.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import { Scanner } from '../../lib/scan/scanner.ts';
import { httpMessageToScanRequest, parseHttpMessage, headerValue } from '../../lib/http-message.ts';
import { isEventStream, reassembleSse } from '../../host-services/proxy/sse-reassembly.ts';
import { severityRank, type Finding, type Severity } from '../../lib/finding.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import { generateCorpus, type SecretRef } from './make-corpus.ts';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));
const NEUTRAL_DEST = 'example.net:443';
const MAX_SCAN_BYTES = 1024 * 1024;

export type Kind = 'tp' | 'fp' | 'low';
export type Direction = 'outbound' | 'inbound';

export interface Sample {
  name: string;
  data: Buffer;
  secrets: SecretRef[];
  origin: 'corpus' | 'generated';
}

export interface Expectation {
  kind: Kind;
  direction: Direction;
  /** required for tp; for fp/low the family the sample tempts, if named */
  family: string | undefined;
  ext: string;
}

export type Verdict =
  | 'hit' // tp: family found at >= medium
  | 'weak' // tp: family found, but only at low
  | 'miss' // tp: family not found
  | 'clean' // fp/low: nothing over the allowed severity
  | 'false-positive'; // fp/low: something over the allowed severity

export interface SampleResult {
  sample: Sample;
  exp: Expectation;
  findings: Finding[];
  verdict: Verdict;
  /** findings that broke an fp/low expectation */
  offending: Finding[];
  /** tp only: findings of other families (informational: co-detections on a malicious sample) */
  other: Finding[];
  /** a finding that shows 6+ characters of a placed secret past its public prefix */
  leaks: string[];
}

export interface FamilyMetrics {
  family: string;
  tp: number;
  detected: number;
  strong: number;
  recall: number;
  strongRecall: number;
  /** negative samples on which this family broke the expectation */
  falsePositives: number;
  precision: number;
}

export interface EvalReport {
  samples: number;
  positives: number;
  negatives: number;
  detected: number;
  strong: number;
  recall: number;
  strongRecall: number;
  falsePositiveSamples: number;
  precision: number;
  /** share of negatives that stayed within their expectation */
  negativesClean: number;
  leaks: number;
  families: FamilyMetrics[];
  results: SampleResult[];
}

const FAMILIES = [...new Set(PATTERNS.map((p) => p.family))];

export function parseName(name: string): Expectation {
  const parts = name.split('.');
  const kind = parts[0];
  const direction = parts[1];
  if (kind !== 'tp' && kind !== 'fp' && kind !== 'low') throw new Error(`${name}: must start with tp., fp. or low.`);
  if (direction !== 'outbound' && direction !== 'inbound') throw new Error(`${name}: second part must be outbound or inbound`);
  const ext = parts[parts.length - 1] ?? '';
  const maybeFamily = parts[2];
  const family = maybeFamily && FAMILIES.includes(maybeFamily) ? maybeFamily : undefined;
  if (kind === 'tp' && !family) throw new Error(`${name}: a tp sample must name a registered family (${FAMILIES.join(', ')})`);
  if (parts.length < 4) throw new Error(`${name}: expected kind.direction[.family].what.ext`);
  return { kind, direction, family, ext };
}

export function loadSamples(): Sample[] {
  const samples: Sample[] = [];
  for (const name of readdirSync(CORPUS_DIR).sort()) {
    samples.push({ name, data: readFileSync(join(CORPUS_DIR, name)), secrets: [], origin: 'corpus' });
  }
  const seen = new Set(samples.map((s) => s.name));
  for (const g of generateCorpus()) {
    if (seen.has(g.name)) throw new Error(`duplicate sample name ${g.name}`);
    seen.add(g.name);
    samples.push({ ...g, origin: 'generated' });
  }
  return samples;
}

/** Strip leading `# dest: host:port` lines; return the raw message and the dest if given. */
function splitDest(raw: Buffer): { message: Buffer; dest: string | undefined } {
  let dest: string | undefined;
  let buf = raw;
  for (;;) {
    const nl = buf.indexOf(0x0a);
    if (nl < 0) break;
    const line = buf.subarray(0, nl).toString('latin1');
    const m = /^#\s*dest:\s*(\S+)\s*$/.exec(line.replace(/\r$/, ''));
    if (!m) break;
    dest = m[1];
    buf = buf.subarray(nl + 1);
  }
  return { message: buf, dest };
}

export function toScanRequest(sample: Sample, exp: Expectation): ScanRequest {
  const ctx = { platform: 'openclaw' as const, protocol: 'https' as const, source: '127.0.0.1', maxScanBytes: MAX_SCAN_BYTES };
  if (exp.ext === 'http') {
    const { message, dest } = splitDest(sample.data);
    const req = httpMessageToScanRequest(message, { ...ctx, ...(dest ? { dest } : {}) });
    if (req.direction !== exp.direction) throw new Error(`${sample.name}: the message is a ${req.direction === 'outbound' ? 'request' : 'response'}, the name says ${exp.direction}`);
    if (req.direction === 'inbound' && !dest) req.dest = NEUTRAL_DEST;
    // The proxy also scans an LLM event stream reassembled (http-tap.ts finishResponse).
    const parsed = parseHttpMessage(message);
    const body = req.parts.find((p) => p.location === 'body');
    if (parsed.kind === 'response' && body && isEventStream(headerValue(parsed.headers, 'content-type'))) {
      const sse = reassembleSse(body.text);
      if (sse.style && sse.text.length) req.parts.splice(req.parts.indexOf(body), 0, { ...body, text: sse.text, encodings: [...(body.encodings ?? []), 'sse'] });
    }
    return req;
  }
  return {
    direction: exp.direction,
    protocol: 'https',
    platform: 'openclaw',
    source: '127.0.0.1',
    dest: NEUTRAL_DEST,
    parts: [{ location: 'body', text: sample.data.toString('utf8') }],
  };
}

export function leaksOf(findings: Finding[], secrets: SecretRef[]): string[] {
  const out: string[] = [];
  for (const f of findings) {
    const text = JSON.stringify(f);
    for (const s of secrets) {
      for (let i = s.publicPrefix; i + 6 <= s.value.length; i++) {
        const piece = s.value.slice(i, i + 6);
        if (text.includes(piece)) {
          out.push(`${f.rule_id ?? f.pattern} shows "${piece.slice(0, 2)}…" (6 chars at offset ${i}) of a placed secret`);
          break;
        }
      }
    }
  }
  return out;
}

export function evaluateSample(scanner: Scanner, sample: Sample): SampleResult {
  const exp = parseName(sample.name);
  const findings = scanner.scan(toScanRequest(sample, exp));
  const res: SampleResult = { sample, exp, findings, verdict: 'clean', offending: [], other: [], leaks: [] };
  if (exp.kind === 'tp') {
    const mine = findings.filter((f) => f.pattern === exp.family);
    res.other = findings.filter((f) => f.pattern !== exp.family);
    if (mine.length === 0) res.verdict = 'miss';
    else res.verdict = mine.some((f) => severityRank(f.severity) >= severityRank('medium')) ? 'hit' : 'weak';
    res.leaks = leaksOf(findings, sample.secrets);
  } else {
    const allowed: Severity | undefined = exp.kind === 'low' ? 'low' : undefined;
    res.offending = findings.filter((f) => allowed === undefined || severityRank(f.severity) > severityRank(allowed));
    res.verdict = res.offending.length ? 'false-positive' : 'clean';
  }
  return res;
}

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

export function runEval(scanner: Scanner = new Scanner({ patterns: [...PATTERNS] })): EvalReport {
  const results = loadSamples().map((s) => evaluateSample(scanner, s));
  const pos = results.filter((r) => r.exp.kind === 'tp');
  const neg = results.filter((r) => r.exp.kind !== 'tp');
  const detected = pos.filter((r) => r.verdict !== 'miss').length;
  const strong = pos.filter((r) => r.verdict === 'hit').length;
  const fpSamples = neg.filter((r) => r.verdict === 'false-positive').length;

  const famNames = [...new Set([...FAMILIES, ...pos.map((r) => r.exp.family!)])];
  const families: FamilyMetrics[] = famNames.map((family) => {
    const mine = pos.filter((r) => r.exp.family === family);
    const det = mine.filter((r) => r.verdict !== 'miss').length;
    const str = mine.filter((r) => r.verdict === 'hit').length;
    const fps = neg.filter((r) => r.offending.some((f) => f.pattern === family)).length;
    return { family, tp: mine.length, detected: det, strong: str, recall: ratio(det, mine.length), strongRecall: ratio(str, mine.length), falsePositives: fps, precision: ratio(det, det + fps) };
  });

  return {
    samples: results.length,
    positives: pos.length,
    negatives: neg.length,
    detected,
    strong,
    recall: ratio(detected, pos.length),
    strongRecall: ratio(strong, pos.length),
    falsePositiveSamples: fpSamples,
    precision: ratio(detected, detected + fpSamples),
    negativesClean: ratio(neg.length - fpSamples, neg.length),
    leaks: results.reduce((n, r) => n + r.leaks.length, 0),
    families,
    results,
  };
}

// ------------------------------------------------------------------ baseline (the ratchet)

export const BASELINE_FILE = fileURLToPath(new URL('./baseline.json', import.meta.url));

export interface Baseline {
  measured_at: string;
  samples: number;
  recall: number;
  strongRecall: number;
  precision: number;
  negativesClean: number;
  families: Record<string, { recall: number; strongRecall: number; precision: number }>;
  /** samples that did not meet their expectation when the baseline was written */
  known_failures: Record<string, Verdict>;
}

export function toBaseline(rep: EvalReport, measuredAt: string): Baseline {
  const round = (x: number) => Math.floor(x * 10000) / 10000; // never above the measured value
  return {
    measured_at: measuredAt,
    samples: rep.samples,
    recall: round(rep.recall),
    strongRecall: round(rep.strongRecall),
    precision: round(rep.precision),
    negativesClean: round(rep.negativesClean),
    families: Object.fromEntries(
      rep.families.filter((f) => f.tp > 0 || f.falsePositives > 0).map((f) => [f.family, { recall: round(f.recall), strongRecall: round(f.strongRecall), precision: round(f.precision) }]),
    ),
    known_failures: Object.fromEntries(rep.results.filter((r) => r.verdict !== 'hit' && r.verdict !== 'clean').map((r) => [r.sample.name, r.verdict])),
  };
}

// ------------------------------------------------------------------ printing

const pct = (x: number): string => (x * 100).toFixed(1).padStart(5) + '%';
const clip = (s: string, n = 140): string => (s.length > n ? s.slice(0, n - 1) + '…' : s).replace(/\s+/g, ' ');
const describe = (f: Finding): string => `${f.rule_id ?? f.pattern} ${f.severity} @${f.location ?? '?'}${f.encodings?.length ? ' [' + f.encodings.join(',') + ']' : ''}: ${clip(f.snippet)}`;

export function formatReport(rep: EvalReport, all = false): string {
  const L: string[] = [];
  L.push(`clawsec-traffic-guardian detection eval: ${rep.samples} samples (${rep.positives} true-positive, ${rep.negatives} negative)`);
  L.push('');
  L.push(`overall  recall ${pct(rep.recall)} (${rep.detected}/${rep.positives})  recall>=medium ${pct(rep.strongRecall)} (${rep.strong}/${rep.positives})`);
  L.push(`         precision ${pct(rep.precision)}  negatives clean ${pct(rep.negativesClean)} (${rep.negatives - rep.falsePositiveSamples}/${rep.negatives})  snippet leaks ${rep.leaks}`);
  L.push('');
  L.push('family                          tp  found  >=med   recall  >=med-rec  FP-samples  precision');
  for (const f of rep.families) {
    if (f.tp === 0 && f.falsePositives === 0) continue;
    L.push(`${f.family.padEnd(30)} ${String(f.tp).padStart(3)} ${String(f.detected).padStart(6)} ${String(f.strong).padStart(6)}   ${pct(f.recall)}    ${pct(f.strongRecall)}  ${String(f.falsePositives).padStart(10)}     ${pct(f.precision)}`);
  }
  const misses = rep.results.filter((r) => r.verdict === 'miss');
  const weak = rep.results.filter((r) => r.verdict === 'weak');
  const fps = rep.results.filter((r) => r.verdict === 'false-positive');
  L.push('');
  L.push(`MISSES (${misses.length}): expected family not found`);
  for (const r of misses) {
    L.push(`  ${r.sample.name}`);
    for (const f of r.other) L.push(`      (found instead) ${describe(f)}`);
  }
  L.push('');
  L.push(`WEAK (${weak.length}): found only at low severity`);
  for (const r of weak) for (const f of r.findings.filter((x) => x.pattern === r.exp.family)) L.push(`  ${r.sample.name}\n      ${describe(f)}`);
  L.push('');
  L.push(`FALSE POSITIVES (${fps.length}): negatives with findings over their allowed severity`);
  for (const r of fps) {
    L.push(`  ${r.sample.name}`);
    for (const f of r.offending) L.push(`      ${describe(f)}`);
  }
  const leaks = rep.results.filter((r) => r.leaks.length);
  if (leaks.length) {
    L.push('');
    L.push(`SNIPPET LEAKS (${rep.leaks})`);
    for (const r of leaks) for (const l of r.leaks) L.push(`  ${r.sample.name}: ${l}`);
  }
  const co = rep.results.filter((r) => r.exp.kind === 'tp' && r.other.some((f) => severityRank(f.severity) >= severityRank('medium')));
  L.push('');
  L.push(`CO-DETECTIONS on true-positive samples (informational, ${co.length} samples)`);
  for (const r of co) for (const f of r.other.filter((x) => severityRank(x.severity) >= severityRank('medium'))) L.push(`  ${r.sample.name}\n      ${describe(f)}`);
  const lowNoise = rep.results.filter((r) => r.exp.kind !== 'tp' && r.verdict === 'clean' && r.findings.length);
  L.push('');
  L.push(`LOW-ONLY findings on negatives (allowed, ${lowNoise.length} samples)`);
  for (const r of lowNoise) for (const f of r.findings) L.push(`  ${r.sample.name}\n      ${describe(f)}`);
  if (all) {
    L.push('');
    L.push('ALL SAMPLES');
    for (const r of rep.results) L.push(`  ${r.verdict.padEnd(15)} ${r.sample.origin === 'generated' ? '(gen) ' : '      '}${r.sample.name}  [${r.findings.map((f) => `${f.rule_id ?? f.pattern}:${f.severity}`).join(', ')}]`);
  }
  return L.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rep = runEval();
  if (process.argv.includes('--write-baseline')) {
    let commit = 'unknown';
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      // not a git checkout
    }
    writeFileSync(BASELINE_FILE, JSON.stringify(toBaseline(rep, `${new Date().toISOString().slice(0, 10)} @ ${commit}`), null, 2) + '\n');
    console.log(`wrote ${BASELINE_FILE}`);
  }
  if (process.argv.includes('--json')) {
    const { results, ...summary } = rep;
    console.log(
      JSON.stringify(
        {
          ...summary,
          misses: results.filter((r) => r.verdict === 'miss').map((r) => r.sample.name),
          weak: results.filter((r) => r.verdict === 'weak').map((r) => r.sample.name),
          false_positives: results.filter((r) => r.verdict === 'false-positive').map((r) => ({ sample: r.sample.name, findings: r.offending.map((f) => ({ rule_id: f.rule_id, severity: f.severity, location: f.location, snippet: f.snippet })) })),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(formatReport(rep, process.argv.includes('--all')));
  }
}
