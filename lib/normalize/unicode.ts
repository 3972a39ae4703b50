// Unicode folding so look-alike and invisible characters cannot split a keyword:
// NFKC turns full-width and compatibility forms into ASCII; zero-width and bidi/format
// characters and C0/C1 controls (except tab and newlines) are removed.
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// Cheap test first: pure ASCII printable text (the common case) needs no work.
const NEEDS_WORK = /[^\t\n\r\u0020-\u007E]/;

export function foldUnicode(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  return text.normalize('NFKC').replace(INVISIBLE, '');
}
