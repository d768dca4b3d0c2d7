/**
 * @module testing/mimetext
 * Just enough MIME decoding for tests to read what a notifier mailed: unfolded headers,
 * RFC 2047 encoded words (the Subject) and a single-part text body in 7bit, 8bit,
 * quoted-printable or base64. Not a mail parser: multipart bodies come back raw.
 */

/** ParsedMail is a message's headers (lower-case names, last one wins), decoded Subject and text. */
export interface ParsedMail {
  headers: Record<string, string>;
  subject: string;
  text: string;
}

/** parseMail splits a raw RFC 5322 message and decodes its Subject and body. */
export function parseMail(raw: string): ParsedMail {
  const crlf = raw.replace(/\r\n/g, "\n");
  const split = crlf.indexOf("\n\n");
  const head = split < 0 ? crlf : crlf.slice(0, split);
  const body = split < 0 ? "" : crlf.slice(split + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const cte = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  return { headers, subject: decodeWords(headers["subject"] ?? ""), text: decodeBody(body, cte) };
}

/** decodeWords decodes RFC 2047 encoded words; the blanks between two adjacent words go. */
export function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(?==\?)/g, "$1");
  let out = "";
  let bytes: Buffer[] = [];
  let last = 0;
  const flush = () => {
    out += Buffer.concat(bytes).toString("utf8");
    bytes = [];
  };
  for (const m of joined.matchAll(word)) {
    if (m.index > last) {
      flush();
      out += joined.slice(last, m.index);
    }
    // Bytes of adjacent words are joined first: an encoder may split a character between words.
    bytes.push(m[2]!.toUpperCase() === "B" ? Buffer.from(m[3]!, "base64") : qpBytes(m[3]!.replace(/_/g, " ")));
    last = m.index + m[0].length;
  }
  flush();
  return out + joined.slice(last);
}

function decodeBody(body: string, cte: string): string {
  if (cte === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (cte === "quoted-printable") return qpBytes(body.replace(/=\n/g, "")).toString("utf8");
  return body;
}

/** qpBytes turns quoted-printable text (soft breaks already removed) into bytes. */
function qpBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === "=" ? /^[0-9A-Fa-f]{2}/.exec(s.slice(i + 1, i + 3)) : null;
    if (hex) {
      out.push(Number.parseInt(hex[0], 16));
      i += 2;
    } else {
      out.push(...Buffer.from(s[i]!, "utf8"));
    }
  }
  return Buffer.from(out);
}
