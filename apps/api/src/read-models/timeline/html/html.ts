/**
 * HTML built by a tagged template that escapes by default: every interpolated value is text
 * (`&`, `<`, `>`, `"` and `'` escaped, so it is safe in element content and in quoted attribute
 * values) unless it is `SafeHtml` produced by `html` itself. Participant ids, names, reasons and
 * every other value of the timeline are user input; none reaches the page unescaped.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Nothing for null, undefined and false; arrays are concatenated; SafeHtml as is; everything else as escaped text. */
function fragment(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += fragment(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}
