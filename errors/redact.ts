/**
 * Secrets out of text: credentials in URLs (scheme://user:token@host), bearer tokens, key=value secrets in query
 * strings, PEM private keys, and the values of secret environment variables (tokens, passwords, API keys, TLS
 * keys) wherever they appear. BatchScoreError redacts its message when it is made, and the activity layer
 * redacts every other error before it reaches Temporal's history, so no copy of a secret is ever written.
 */
const SECRET_ENV = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|PRIVATE_KEY|SECRET_ACCESS_KEY|KEY_DATA|CREDENTIALS?)$/i;
const MASK = '***';

const PATTERNS: [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(?::[^\s/@]*)?@/gi, `$1${MASK}@`],
  [/\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`],
  [/([?&;](?:access_token|token|api_key|apikey|key|secret|password|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\s"']+/gi, `$1${MASK}`],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, `${MASK}PRIVATE KEY${MASK}`],
];

/** Secret values from the environment, longest first (read on each call: tests and workers set them late). */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_ENV.test(name) && typeof value === 'string' && value.length >= 6)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
}

export function redact(text: string, env: NodeJS.ProcessEnv = typeof process === 'undefined' ? {} : process.env): string {
  let out = text;
  for (const value of secretValues(env)) out = out.split(value).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
