/**
 * @module agent/presets/_json5
 * A tolerant reader for openclaw.json, which is JSON5 (agent-layouts.md §1.2: "JSON5
 * (comments allowed)"). It rewrites the JSON5 extensions real configs use into JSON and
 * hands the result to JSON.parse: // and /* *\/ comments, trailing commas, unquoted keys,
 * single-quoted strings, hexadecimal numbers, leading "+" and Infinity/NaN (as null).
 * It is not a validator: anything JSON.parse still rejects is an error.
 */

const IDENT = /[A-Za-z0-9_$\u0080-\uffff]/;

/** parseJson5 parses JSON5 text; a syntax error throws with the JSON.parse error as cause. */
export function parseJson5(text: string): unknown {
  const json = json5ToJson(text.replace(/^\uFEFF/, ""));
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw new Error("parse JSON5", { cause });
  }
}

/** json5ToJson returns equivalent JSON text. */
export function json5ToJson(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const end = stringEnd(s, i);
      out += requote(s.slice(i + 1, end), c);
      i = end + 1;
    } else if (c === "/" && s[i + 1] === "/") {
      while (i < s.length && s[i] !== "\n") i++;
    } else if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? s.length : end + 2;
    } else if (c === ",") {
      // Trailing comma: drop it when the next meaningful character closes the container.
      const rest = s.slice(i + 1).replace(/^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/, "");
      if (rest[0] !== "}" && rest[0] !== "]") out += c;
      i++;
    } else if (IDENT.test(c) || c === "+" || c === "-") {
      let j = i + 1;
      while (j < s.length && (IDENT.test(s[j]!) || s[j] === "." || ((s[j] === "+" || s[j] === "-") && /[eE]/.test(s[j - 1]!)))) j++;
      out += word(s.slice(i, j), s.slice(j));
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function stringEnd(s: string, start: number): number {
  const q = s[start];
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === q) return i;
  }
  throw new Error(`parse JSON5: unterminated string at offset ${start}`);
}

/** requote turns a JSON5 string body into a JSON string literal. */
function requote(body: string, quote: string): string {
  let b = body.replace(/\\\r?\n/g, ""); // JSON5 line continuations
  if (quote === "'") b = b.replace(/\\'/g, "'").replace(/(^|[^\\])((?:\\\\)*)"/g, '$1$2\\"');
  return `"${b.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/** word rewrites a bare word: an unquoted key, a JSON5 number, or a literal. */
function word(w: string, after: string): string {
  if (/^\s*:/.test(after) && !/^[+-]/.test(w)) return JSON.stringify(w);
  const sign = w.startsWith("-") ? "-" : "";
  const body = w.replace(/^[+-]/, "");
  if (/^0x[0-9a-f]+$/i.test(body)) return sign + String(Number.parseInt(body, 16));
  if (body === "Infinity" || body === "NaN") return "null";
  if (/^\.\d/.test(body)) return `${sign}0${body}`;
  if (/^\d+\.$/.test(body)) return sign + body.slice(0, -1);
  return sign + body;
}
