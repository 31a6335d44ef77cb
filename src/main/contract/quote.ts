// Quoting what a client sent inside an error message, for every adapter.

/**
 * A client-supplied value as it may appear in an error message: short ones quoted with control and
 * bidi characters escaped, long ones only described (an error must not echo kilobytes back).
 */
export function quoteForError(value: string, max = 80): string {
  if (value.length > max) return `(${value.length} characters)`;
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
