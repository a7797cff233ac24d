// A stand-in for Google sign-in in tests: a real OpenID Connect provider (npm `oidc-provider`,
// panva's certified implementation) on a loopback address, with the development login and
// consent pages ("devInteractions") that a person — or WebDriver — clicks through.
//
//   node tests/js/oidc-google.mjs --host 127.0.0.2 --port 0
//
// Prints one line once it listens, which the Rust harness waits for:
//   READY {"origin":"http://127.0.0.2:40123","issuer":"http://127.0.0.2:40123"}
//
// Clients (confidential, client_secret_post, PKCE S256 required, exact redirect_uris) are added
// at run time, because their redirect URIs name the worker's port, which is chosen after ours:
//   POST /__clients  [{"client_id":..,"client_secret":..,"redirect_uris":[..]}]   → 204
// Every request is recorded for the tests (parameters, a few headers, status, issued codes and
// tokens):
//   GET /__log → {"requests":[...]}
//
// Accounts: whatever login is typed (any password) is an account. Its claims: sub = the login,
// name = the login's parts capitalised ("mina.park" → "Mina Park"), email <login>@example.com
// (verified), and picture = a PNG served here at /pictures/<login>.png — unless the login
// contains "nopic". ID tokens are RS256 with a key made at start.

import { generateKeyPairSync, randomBytes, createHash } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

import { pngBytes } from './standin-images.mjs';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});

/** What the tests can read back at /__log. */
const requests = [];

function nameOf(login) {
  return login
    .split(/[._\-\s]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(' ');
}

function colourOf(text) {
  const digest = createHash('sha256').update(text).digest();
  return [digest[0], digest[1], digest[2]];
}

const server = http.createServer();
server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const origin = `http://${args.host}:${port}`;
  const provider = makeProvider(origin);
  const oidc = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/__clients' && req.method === 'POST') {
      readJson(req)
        .then(async (clients) => {
          for (const client of clients) {
            await provider.Client.adapter.upsert(client.client_id, {
              client_id: client.client_id,
              client_secret: client.client_secret,
              redirect_uris: client.redirect_uris,
              grant_types: ['authorization_code'],
              response_types: ['code'],
              token_endpoint_auth_method: 'client_secret_post',
            });
            // A bad client is refused now rather than at the first sign-in.
            if (!(await provider.Client.find(client.client_id))) {
              throw new Error(`client ${client.client_id} was not accepted`);
            }
          }
          res.writeHead(204).end();
        })
        .catch((error) => {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        });
      return;
    }
    if (url.pathname === '/__log' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requests }));
      return;
    }
    const picture = url.pathname.match(/^\/pictures\/([^/]+)\.png$/);
    if (picture && req.method === 'GET') {
      const login = decodeURIComponent(picture[1]);
      requests.push({ endpoint: 'picture', method: req.method, path: url.pathname, headers: pick(req.headers) });
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' });
      res.end(pngBytes(16, 16, colourOf(login)));
      return;
    }
    oidc(req, res);
  });
  console.log(`READY ${JSON.stringify({ origin, issuer: origin })}`);
});

function makeProvider(issuer) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'standin-1', use: 'sig', alg: 'RS256' };
  const provider = new Provider(issuer, {
    clients: [],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture', 'locale'],
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, userinfo: { enabled: true } },
    async findAccount(_ctx, login) {
      return {
        accountId: login,
        async claims() {
          const name = nameOf(login);
          const [given, ...family] = name.split(' ');
          const claims = {
            sub: login,
            name,
            given_name: given,
            family_name: family.join(' ') || undefined,
            email: `${login.replace(/[^A-Za-z0-9._-]/g, '')}@example.com`,
            email_verified: true,
            locale: 'en',
          };
          if (!login.includes('nopic')) {
            claims.picture = `${issuer}/pictures/${encodeURIComponent(login)}.png`;
          }
          return claims;
        },
      };
    },
  });

  // The request log: what each call carried and what it gave out.
  provider.use(async (ctx, next) => {
    const entry = {
      method: ctx.method,
      path: ctx.path,
      query: { ...ctx.query },
      headers: pick(ctx.headers),
    };
    try {
      await next();
    } finally {
      entry.endpoint = ctx.oidc?.route ?? null;
      entry.status = ctx.status;
      entry.params = ctx.oidc?.body ? { ...ctx.oidc.body } : undefined;
      entry.location = ctx.response.get('location') || undefined;
      const issued = [];
      if (entry.location) {
        const code = safeUrl(entry.location)?.searchParams.get('code');
        if (code) issued.push(code);
      }
      if (ctx.oidc?.route === 'token' && ctx.body && typeof ctx.body === 'object') {
        entry.response = { ...ctx.body };
        for (const key of ['access_token', 'id_token', 'refresh_token']) {
          if (ctx.body[key]) issued.push(ctx.body[key]);
        }
      }
      entry.issued = issued;
      requests.push(entry);
    }
  });
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  return provider;
}

function pick(headers) {
  const out = {};
  for (const name of ['user-agent', 'accept', 'content-type', 'authorization', 'origin', 'cookie']) {
    if (headers[name] !== undefined) out[name] = headers[name];
  }
  return out;
}

function safeUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
