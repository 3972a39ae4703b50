// Small, bounded file reads. Nothing here throws; every outcome is a value.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export type JsonRead =
  | { kind: 'missing' }
  | { kind: 'corrupt' }
  | { kind: 'ok'; value: Record<string, unknown> };

/** Reads a small JSON object file; larger than maxBytes, unparsable or not an object is corrupt. */
export function readJsonObject(path: string, maxBytes = 256 * 1024): JsonRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'corrupt' };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return { kind: 'corrupt' };
    const buf = readRange(fd, 0, st.size);
    const value: unknown = JSON.parse(buf.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'corrupt' };
    return { kind: 'ok', value: value as Record<string, unknown> };
  } catch {
    return { kind: 'corrupt' };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // nothing to do
    }
  }
}

/** Bytes [start, end) of an open file (fewer if the file is shorter). */
export function readRange(fd: number, start: number, end: number): Buffer {
  const len = Math.max(0, end - start);
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? buf : buf.subarray(0, got);
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
