// Verifies a Confab access token the way an outside service would: with the `jose` library and
// the worker's published JWK Set, none of Confab's own code.
//
//   node tests/js/verify-jwt.mjs <base_url> <token>
//
// Prints one JSON line and exits 0 when the token verifies:
//   {"ok":true,"header":{...},"payload":{...}}
// or exits 1 when it is refused (jose's error code says why):
//   {"ok":false,"code":"ERR_...","claim":"aud"|null,"message":"..."}
// Exit 2 is a usage error or a JWKS that cannot be fetched (not a verdict on the token).

import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) {
  console.error('usage: node verify-jwt.mjs <base_url> <token>');
  process.exit(2);
}

const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl), {
  timeoutDuration: 10_000,
});

try {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    algorithms: ['EdDSA'],
    issuer: 'confab',
    audience: 'confab-api',
    typ: 'at+jwt',
    requiredClaims: ['sub', 'exp', 'nbf', 'iat'],
  });
  console.log(JSON.stringify({ ok: true, header: protectedHeader, payload }));
} catch (error) {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !error.code) {
    console.error(`cannot verify: ${error}`);
    process.exit(2);
  }
  console.log(
    JSON.stringify({ ok: false, code: error.code, claim: error.claim ?? null, message: error.message }),
  );
  process.exit(1);
}
