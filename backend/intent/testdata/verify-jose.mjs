// Verifies a Countersign intent token with the npm "jose" package, using
// nothing but the exported JWKS file: an implementation independent of the
// Go code that signed it.
//
//   node verify-jose.mjs JWKS_FILE TOKEN     (TOKEN "-" reads it from stdin)
//
// On success it prints {"header": ..., "payload": ...} as one JSON line and
// exits 0; on any failure it prints the reason on stderr and exits 1.
// Dependencies: `npm ci` in ./jose (see package-lock.json there).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const TYP = 'countersign-intent+jwt';

function fail(msg) {
  process.stderr.write(`verify-jose: ${msg}\n`);
  process.exit(1);
}

const [jwksPath, tokenArg] = process.argv.slice(2);
if (!jwksPath || !tokenArg) fail('usage: node verify-jose.mjs JWKS_FILE TOKEN|-');

let jose;
try {
  const require = createRequire(new URL('./jose/package.json', import.meta.url));
  jose = await import(pathToFileURL(require.resolve('jose')).href);
} catch (e) {
  fail(`the jose package is not installed (run npm ci in ${new URL('./jose/', import.meta.url).pathname}): ${e.message}`);
}

try {
  const token = (tokenArg === '-' ? readFileSync(0, 'utf8') : tokenArg).trim();
  const jwks = JSON.parse(readFileSync(jwksPath, 'utf8'));
  // Key ids are RFC 7638 thumbprints: recompute them independently.
  for (const k of jwks.keys) {
    const thumbprint = await jose.calculateJwkThumbprint(k, 'sha256');
    if (thumbprint !== k.kid) fail(`key ${k.kid} is not its RFC 7638 thumbprint ${thumbprint}`);
    if ('d' in k) fail(`key ${k.kid} contains private material`);
  }
  const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), {
    algorithms: ['EdDSA'],
    typ: TYP,
    requiredClaims: ['jti', 'iat', 'exp', 'nonce', 'proposal_id', 'agent_id', 'decision', 'decided_by', 'actions'],
  });
  process.stdout.write(JSON.stringify({ header: protectedHeader, payload }) + '\n');
} catch (e) {
  fail(`${e.code ?? e.name}: ${e.message}`);
}
