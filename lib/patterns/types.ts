import type { Direction, Severity } from '../finding.ts';

/**
 * What a pattern sees when its regex matched: the whole (normalized, decoded) text of the
 * view, the match, and where the text came from. `assess` uses it for target-aware or
 * context-aware decisions (e.g. `rm -rf node_modules` is benign, a PEM header without a body
 * is lower severity).
 */
export interface MatchContext {
  text: string;
  match: RegExpExecArray;
  /** the part to redact: the `secret` named group, or the whole match */
  secret: string;
  /** `header:x-api-key`, `query:key`, `path`, `body`, `websocket`, `input` */
  location: string;
  /** destination host without port, lower case ('' offline) */
  destHost: string;
  /** decodings the view went through (`html_entity`, `base64`, `shell`, ...) */
  encodings: string[];
}

/** Own-provider context: this credential sent to its own API host in its auth header is normal. */
export interface ProviderAuth {
  /** destination hosts where the credential belongs */
  hosts: RegExp;
  /** locations (exact, lower case) where sending it there is normal, e.g. `header:x-api-key` */
  locations: string[];
}

export interface PatternRecord {
  /** rule id, `${family}/${name}` */
  id: string;
  /** the contract's `pattern` value */
  family: string;
  /** outbound patterns are EXFIL, inbound ones INJECTION */
  direction: Direction;
  severity: Severity;
  description: string;
  /**
   * Cheap prefilter: lower-case literals, at least one must occur in the lower-cased text
   * before the regex runs. Empty means the regex always runs (keep such regexes anchored
   * on a rare literal).
   */
  keywords: string[];
  /**
   * The keywords count only where no letter, digit or underscore precedes them: for regexes
   * that begin with a `(?<![\w.-])` guard, so `sh` in `ssh` or `hash` does not wake the rule.
   */
  keywordsAtWordStart?: boolean;
  /** The keywords count only where no letter, digit or underscore follows them (`post`, not `postinstall`). */
  keywordsAtWordEnd?: boolean;
  /**
   * Every match starts at most this many characters before one of its keyword hits (0: at
   * the keyword, 16: after an optional `/usr/local/sbin/`). The regex is then only tried at
   * those start positions instead of scanned over a window: for rules with a long reach
   * (a 1,500-character payload) whose keyword is common (`node ` in every package.json).
   */
  keywordLead?: number;
  /**
   * Must be linear on hostile input (bounded quantifiers, no nested ambiguity). Flags: `g` required.
   * Every match must inspect one of `keywords` (inside the match or its lookarounds): the
   * scanner runs the regex only on windows around keyword hits, sized by the regex's longest
   * possible match (`\s*`/`\s+` are bounded at compile time; any other unbounded quantifier
   * makes the pattern run on whole views).
   */
  regex: RegExp;
  /**
   * Leading part of the secret that is public (a vendor prefix) and may stay in the snippet,
   * e.g. /^sk-ant-(?:api03-)?/.
   */
  publicPrefix?: RegExp;
  /** a secret (or, without a secret group, the match) matching any of these is not a finding */
  allow?: RegExp[];
  /** return null to drop the match, or a severity to override the default */
  assess?: (ctx: MatchContext) => Severity | null;
  providerAuth?: ProviderAuth;
  /**
   * A catch-all rule (e.g. `password=` with a random-looking value): dropped when a specific
   * family found the same secret in the same part, so one key is one finding.
   */
  generic?: boolean;
  /**
   * The secret as dedup and fingerprints should see it, when one value can appear in two
   * shapes (a PEM body with real newlines and with JSON `\n` escapes). Default: as matched.
   */
  canonical?: (secret: string) => string;
  examples: {
    /** each must produce at least one finding with this rule id */
    tp: string[];
    /** each must produce no finding of this rule id */
    fp: string[];
  };
}
