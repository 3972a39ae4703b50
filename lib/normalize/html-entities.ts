// HTML entity decoding for the entities that matter for hiding commands and keys in pages:
// numeric (decimal and hex) and the handful of named ones that appear in shell and code.
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos|nbsp|sol|verbar|vert|bsol|dollar|lpar|rpar|semi|colon|equals|excl|num|percnt|period|comma|tilde|grave|lbrace|rbrace|lsqb|rsqb|ast|plus|hyphen|dash));?/g;
const NAMED: Record<string, string> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', sol: '/', verbar: '|', vert: '|',
  bsol: '\\', dollar: '$', lpar: '(', rpar: ')', semi: ';', colon: ':', equals: '=', excl: '!',
  num: '#', percnt: '%', period: '.', comma: ',', tilde: '~', grave: '`', lbrace: '{', rbrace: '}',
  lsqb: '[', rsqb: ']', ast: '*', plus: '+', hyphen: '-', dash: '-',
};
const HAS = /&(?:#\d|#[xX][0-9a-fA-F]|[a-z]{2,7};)/;

export function hasHtmlEntities(text: string): boolean {
  return HAS.test(text);
}

function codePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD';
}

export function decodeHtmlEntities(text: string): string {
  return text.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return codePoint(parseInt(dec, 10));
    if (hex !== undefined) return codePoint(parseInt(hex, 16));
    return NAMED[name as string] ?? '';
  });
}
