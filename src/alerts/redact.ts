/**
 * @module alerts/redact
 * The last line of defence before text leaves the machine in an alert or lands in the run
 * log: error messages from tools (pg_dump, ssh, HTTP clients) sometimes quote connection
 * strings or tokens. Anything that looks like a credential is replaced with ***.
 */

const RULES: [RegExp, string][] = [
  // scheme://user:password@host → scheme://user:***@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]+@/gi, "$1:***@"],
  // Telegram bot tokens: 123456789:AA... (the path segment /bot<token>/ too)
  [/(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{30,}/g, "***"],
  // KEY=value for keys that name a secret (PGPASSWORD=, api_key=, token: ...)
  [/\b([A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY)[A-Za-z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, "$1$2***"],
  // Authorization: Bearer xyz / Basic xyz
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, "Bearer ***"],
  // Basic credentials are base64 (digits, capitals, +/=), which "Basic authentication" is not.
  [/\bBasic\s+(?=[A-Za-z0-9+/=]*[0-9A-Z+/=])[A-Za-z0-9+/=]{8,}/g, "Basic ***"],
];

/** redact removes credential-looking substrings from one line or many. */
export function redact(text: string): string {
  let out = text;
  for (const [re, by] of RULES) out = out.replace(re, by);
  return out;
}
