// Everything the CLI prints passes one sanitiser. Product names, sheet cells, LLM copy and backend
// error messages are untrusted bytes: an ESC or OSC sequence in a sheet could retitle the terminal,
// write the clipboard (OSC 52), hide lines or fake a prompt; a bidi override could make a line read
// differently from what it is. They are shown as visible `\uXXXX` escapes instead:
//   - C0 controls except line feed and tab (so ESC, BEL, CR, backspace), DEL and the C1 range
//     (U+0080–U+009F: 8-bit CSI/OSC that some terminals obey);
//   - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the LRM/RLM/ALM marks,
//     and U+2028/U+2029 (line breaks to some viewers).
// The `\uXXXX` form is also a valid JSON escape, so JSON lines stay valid JSON with the same meaning.
// `guardTerminalStreams()` puts the sanitiser in front of stdout and stderr for the whole CLI process;
// the progress display writes its own cursor movements with `writeRaw` and sanitises the text it draws.

function unsafe(code: number, inline: boolean): boolean {
  if (code < 0x20) return inline || (code !== 0x0a && code !== 0x09);
  if (code >= 0x7f && code <= 0x9f) return true;
  return (
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

function sanitize(text: string, inline: boolean): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!unsafe(code, inline)) continue;
    out += `${text.slice(from, i)}\\u${code.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `text` with terminal controls and bidi controls made visible; line feeds and tabs are kept. */
export function terminalSafe(text: string): string {
  return sanitize(text, false);
}

/** For one cell or one line of a display: line feeds and tabs are escaped too. */
export function terminalInline(text: string): string {
  return sanitize(text, true);
}

/**
 * One JSON line: `JSON.stringify` escapes C0 controls itself but leaves DEL, C1, bidi controls and
 * U+2028/U+2029 raw; those become `\uXXXX` escapes, which parse back to the same characters.
 */
export function jsonLine(value: unknown): string {
  return sanitize(JSON.stringify(value), false);
}

type WriteFn = (chunk: unknown, ...rest: unknown[]) => boolean;
const originals = new WeakMap<object, WriteFn>();

/** Puts the sanitiser in front of every write to `streams` (by default stdout and stderr). Idempotent. */
export function guardTerminalStreams(
  streams: NodeJS.WritableStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    if (originals.has(stream)) continue;
    const original = stream.write.bind(stream) as WriteFn;
    originals.set(stream, original);
    const guarded: WriteFn = (chunk, ...rest) => {
      if (typeof chunk === 'string') return original(terminalSafe(chunk), ...rest);
      if (chunk instanceof Uint8Array) {
        // Decoded and re-encoded as UTF-8 text; an encoding argument no longer applies.
        const args = typeof rest[0] === 'string' ? rest.slice(1) : rest;
        return original(terminalSafe(Buffer.from(chunk).toString('utf8')), ...args);
      }
      return original(chunk, ...rest);
    };
    stream.write = guarded as typeof stream.write;
  }
}

/** Writes `text` as is, past the guard: only for control sequences the CLI itself composes. */
export function writeRaw(stream: NodeJS.WritableStream, text: string): boolean {
  const original = originals.get(stream);
  return original ? original(text) : stream.write(text);
}
