// Stand-ins for GitHub, Kakao and Naver sign-in in tests: one small node:http server speaking
// each provider's documented request and response shapes, quirks included, so the worker's
// OAuth code runs against them exactly as it would against the real services.
//
//   node tests/js/social-standin.mjs --host 127.0.0.3 --port 0
//
// Prints one line once it listens, which the Rust harness waits for:
//   READY {"origin":"http://127.0.0.3:40125"}
//
// Endpoints (each provider under its own prefix):
//   GitHub  GET  /github/login/oauth/authorize   consent page ("Authorize"); PKCE S256 required
//           POST /github/login/oauth/access_token  form or JSON answer by the Accept header;
//                                                  errors are HTTP 200 with an `error` field
//           GET  /github/api/user, /github/api/user/emails   403 without a User-Agent header
//   Kakao   GET  /kakao/oauth/authorize           consent page; PKCE S256 required
//           POST /kakao/oauth/token               form body only; KOE error codes
//           GET|POST /kakao/v2/user/me            numeric id, kakao_account.profile
//   Naver   GET  /naver/oauth2.0/authorize        consent page; `state` required
//           GET|POST /naver/oauth2.0/token        `state` required; expires_in is a string
//           GET  /naver/v1/nid/me                 {resultcode, message, response} envelope
//   Consent POST /<provider>/consent              request, login, decision=approve|deny
//   Images  GET  /<provider>/pictures/<login>.png|.jpg   real PNG / JPEG bytes
//
// Test-only endpoints:
//   POST /__clients [{"provider","client_id","client_secret"(""/null: none),"redirect_uris":[..]}]
//   GET  /__log     {"requests":[{provider, endpoint, method, url, query, headers, params,
//                                 status, issued:[codes and tokens given out]}]}
//
// Accounts: any login typed on a consent page is an account; its display name is the login's
// parts capitalised ("mona-lisa" → "Mona Lisa"; Korean stays as typed), except that a GitHub
// login containing "noname" has `name: null`, as many GitHub accounts do.
//
// Every code is one-time, expires after 10 minutes and is bound to the client, the exact
// redirect URI and (GitHub, Kakao) the PKCE challenge. A wrong code_verifier is refused without
// using the code up (as oidc-provider does).

import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import {
  escapeHtml, html, parseBody, pickHeaders, readBody, redirect, send, withParams,
} from './standin-http.mjs';
import { JPEG, pngBytes } from './standin-images.mjs';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});

const CODE_TTL_MS = 10 * 60 * 1000;
/** `${provider} ${client_id}` → {client_secret, redirect_uris} */
const clients = new Map();
/** Authorization requests waiting for the person's decision, by request id. */
const pending = new Map();
/** code → {provider, client_id, redirect_uri, challenge, state, login, scope, expires, used} */
const codes = new Map();
/** access token → {provider, login, scope} */
const tokens = new Map();
const requests = [];
let origin = '';

const random = (bytes) => randomBytes(bytes).toString('base64url');
const digest = (text) => createHash('sha256').update(text).digest();

/** "mona.lisa" → "Mona Lisa"; text without separators (e.g. Korean) stays as it is. */
function nameOf(login) {
  return login
    .split(/[._\-\s]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(' ');
}

/** A stable number for an account: GitHub ids are 8 digits, Kakao's 10 (above 2^32). */
function numericId(provider, login, base, span) {
  return base + (digest(`${provider}:${login}`).readUInt32BE(0) % span);
}

const PROVIDERS = {
  github: {
    name: 'GitHub',
    pkce: true,
    requireState: false,
    denyParams: {
      error: 'access_denied',
      error_description: 'The user has denied your application access.',
      error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
    },
    picture: (login) => `${origin}/github/pictures/${encodeURIComponent(login)}.png`,
  },
  kakao: {
    name: 'Kakao',
    pkce: true,
    requireState: false,
    denyParams: { error: 'access_denied', error_description: 'User denied access' },
    picture: (login) => `${origin}/kakao/pictures/${encodeURIComponent(login)}.jpg`,
  },
  naver: {
    name: 'Naver',
    pkce: false,
    requireState: true,
    denyParams: { error: 'access_denied', error_description: 'Canceled By User' },
    picture: (login) => `${origin}/naver/pictures/${encodeURIComponent(login)}.png`,
  },
};

function bearer(req) {
  const match = (req.headers.authorization ?? '').match(/^(?:Bearer|token)\s+(\S+)$/i);
  return match ? tokens.get(match[1]) : undefined;
}

function pkceMatches(challenge, verifier) {
  return typeof verifier === 'string' && verifier.length >= 43 && verifier.length <= 128
    && createHash('sha256').update(verifier).digest('base64url') === challenge;
}


// ---- authorize and consent (shared) -----------------------------------------------------------

function authorize(provider, query, res, entry) {
  const spec = PROVIDERS[provider];
  const client = clients.get(`${provider} ${query.client_id}`);
  if (!client) return html(res, 400, `<h1>${spec.name}: unknown client_id</h1>`);
  // GitHub may omit redirect_uri (the registered one is used); given, it must match exactly.
  const redirectUri = query.redirect_uri ?? (provider === 'github' ? client.redirect_uris[0] : undefined);
  if (!redirectUri || !client.redirect_uris.includes(redirectUri)) {
    return html(res, 400, `<h1>${spec.name}: redirect_uri mismatch</h1><p>The redirect_uri is not associated with this application.</p>`);
  }
  if (provider !== 'github' && query.response_type !== 'code') {
    return html(res, 400, `<h1>${spec.name}: response_type must be code</h1>`);
  }
  if (spec.requireState && !query.state) return html(res, 400, `<h1>${spec.name}: state is required</h1>`);
  if (spec.pkce && (!query.code_challenge || query.code_challenge_method !== 'S256')) {
    return html(res, 400, `<h1>${spec.name}: PKCE with code_challenge_method=S256 is required</h1>`);
  }
  const id = random(16);
  pending.set(id, {
    provider,
    client_id: query.client_id,
    redirect_uri: redirectUri,
    state: query.state,
    scope: query.scope ?? '',
    challenge: spec.pkce ? query.code_challenge : undefined,
  });
  entry.request = id;
  return html(
    res,
    200,
    `<h1>${spec.name} stand-in</h1>
<p>Authorize <b>${escapeHtml(query.client_id)}</b> to read your profile (${escapeHtml(query.scope ?? '')}).</p>
<form method="post" action="/${provider}/consent">
  <input type="hidden" name="request" value="${id}">
  <label>Account <input id="login" name="login" value="octocat" autocomplete="off"></label>
  <button id="approve" type="submit" name="decision" value="approve">Authorize</button>
  <button id="deny" type="submit" name="decision" value="deny">Cancel</button>
</form>`,
  );
}

function consent(provider, params, res, entry) {
  const request = pending.get(params.request);
  if (!request || request.provider !== provider) return html(res, 400, '<h1>This authorization request is unknown or was already answered.</h1>');
  pending.delete(params.request);
  if (params.decision !== 'approve') {
    return redirect(res, withParams(request.redirect_uri, { ...PROVIDERS[provider].denyParams, state: request.state }));
  }
  const login = (params.login ?? '').trim();
  if (!login) return html(res, 400, '<h1>An account name is required.</h1>');
  const code = provider === 'github' ? randomBytes(10).toString('hex') : random(provider === 'kakao' ? 64 : 12);
  codes.set(code, { ...request, login, expires: Date.now() + CODE_TTL_MS, used: false });
  entry.issued.push(code);
  return redirect(res, withParams(request.redirect_uri, { code, state: request.state }));
}

/**
 * Checks a token request against the code it names. Returns the code's record, or the error
 * kind: 'client' (unknown client / wrong secret), 'code' (unknown, used, expired, other client),
 * 'redirect' (redirect_uri differs), 'pkce' (verifier missing or wrong), 'state' (Naver).
 */
function redeem(provider, params) {
  const client = clients.get(`${provider} ${params.client_id}`);
  if (!client) return { error: 'client' };
  const secret = client.client_secret ?? '';
  if (secret !== '' && params.client_secret !== secret) return { error: 'client' };
  const record = codes.get(params.code);
  if (!record || record.provider !== provider || record.client_id !== params.client_id) return { error: 'code' };
  if (record.used || record.expires < Date.now()) return { error: 'code' };
  if (provider === 'naver') {
    if (!params.state) return { error: 'state_missing' };
    if (params.state !== record.state) return { error: 'state' };
  }
  const redirectRequired = provider === 'kakao';
  if ((redirectRequired || params.redirect_uri !== undefined) && params.redirect_uri !== record.redirect_uri) {
    return { error: 'redirect' };
  }
  if (record.challenge && !pkceMatches(record.challenge, params.code_verifier)) return { error: 'pkce' };
  record.used = true;
  return { record };
}

function issueToken(provider, record, entry) {
  const token = provider === 'github' ? `gho_${random(27)}` : provider === 'naver' ? `AAAA${random(60)}` : random(40);
  tokens.set(token, { provider, login: record.login, scope: record.scope });
  entry.issued.push(token);
  const refresh = random(40);
  entry.issued.push(refresh);
  return { token, refresh };
}

// ---- GitHub -------------------------------------------------------------------------------------

const GITHUB_ERRORS = {
  client: ['incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.'],
  code: ['bad_verification_code', 'The code passed is incorrect or expired.'],
  redirect: ['redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.'],
  pkce: ['bad_verification_code', 'The code_verifier does not match the code_challenge.'],
};

function githubToken(req, params, res, entry) {
  const outcome = redeem('github', params);
  let body;
  if (outcome.error) {
    const [error, description] = GITHUB_ERRORS[outcome.error];
    body = {
      error,
      error_description: description,
      error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors',
    };
  } else {
    const { token } = issueToken('github', outcome.record, entry);
    body = { access_token: token, token_type: 'bearer', scope: outcome.record.scope.split(/[\s,]+/).filter(Boolean).join(',') };
  }
  // GitHub answers errors with HTTP 200 too, and JSON only when asked for it.
  if ((req.headers.accept ?? '').includes('application/json')) return send(res, 200, body);
  res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
  res.end(new URLSearchParams(body).toString());
  return 200;
}

function githubApi(req, res, path) {
  if (!req.headers['user-agent']) {
    return send(res, 403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n');
  }
  const docs = 'https://docs.github.com/rest';
  if (!req.headers.authorization) return send(res, 401, { message: 'Requires authentication', documentation_url: docs, status: '401' });
  const grant = bearer(req);
  if (!grant || grant.provider !== 'github') return send(res, 401, { message: 'Bad credentials', documentation_url: docs, status: '401' });
  const { login } = grant;
  const id = numericId('github', login, 10_000_000, 89_999_999);
  if (path === '/user') {
    return send(res, 200, {
      login,
      id,
      node_id: `U_${random(9)}`,
      avatar_url: PROVIDERS.github.picture(login),
      html_url: `https://github.com/${login}`,
      type: 'User',
      site_admin: false,
      // GitHub's name is optional (null for many accounts): "noname" logins have none.
      name: login.includes('noname') ? null : nameOf(login),
      email: null,
    });
  }
  if (path === '/user/emails') {
    if (!grant.scope.split(/[\s,]+/).includes('user:email')) return send(res, 404, { message: 'Not Found', documentation_url: docs, status: '404' });
    return send(res, 200, [
      { email: `${id}+${login}@users.noreply.github.com`, primary: false, verified: true, visibility: null },
      { email: `${login}@example.com`, primary: true, verified: true, visibility: 'private' },
      { email: `${login}@old.example.org`, primary: false, verified: false, visibility: null },
    ]);
  }
  return send(res, 404, { message: 'Not Found', documentation_url: docs, status: '404' });
}

// ---- Kakao --------------------------------------------------------------------------------------

const KAKAO_ERRORS = {
  client: [401, 'invalid_client', 'Bad client credentials', 'KOE010'],
  code: [400, 'invalid_grant', 'authorization code not found for code=CODE', 'KOE320'],
  redirect: [400, 'invalid_grant', 'Redirect URI mismatch.', 'KOE303'],
  pkce: [400, 'invalid_grant', 'PKCE verification failed.', 'KOE322'],
};

function kakaoToken(req, params, res, entry) {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return send(res, 400, { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded.', error_code: 'KOE101' });
  }
  if (params.grant_type !== 'authorization_code') {
    return send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant_type is not supported.', error_code: 'KOE101' });
  }
  const outcome = redeem('kakao', params);
  if (outcome.error) {
    const [status, error, description, code] = KAKAO_ERRORS[outcome.error];
    // Kakao really does echo the code it could not find in the description.
    return send(res, status, { error, error_description: description.replace('CODE', params.code ?? ''), error_code: code });
  }
  const { token, refresh } = issueToken('kakao', outcome.record, entry);
  return send(res, 200, {
    access_token: token,
    token_type: 'bearer',
    refresh_token: refresh,
    expires_in: 21599,
    scope: 'profile_image profile_nickname',
    refresh_token_expires_in: 5183999,
  });
}

function kakaoMe(req, res) {
  const grant = bearer(req);
  if (!grant || grant.provider !== 'kakao') return send(res, 401, { msg: 'this access token does not exist', code: -401 });
  const { login } = grant;
  const nickname = nameOf(login);
  const picture = PROVIDERS.kakao.picture(login);
  return send(res, 200, {
    id: numericId('kakao', login, 4_300_000_000, 999_999_999),
    connected_at: '2026-11-21T09:00:00Z',
    properties: { nickname, profile_image: picture, thumbnail_image: picture },
    kakao_account: {
      profile_nickname_needs_agreement: false,
      profile_image_needs_agreement: false,
      profile: {
        nickname,
        thumbnail_image_url: picture,
        profile_image_url: picture,
        is_default_image: false,
        is_default_nickname: false,
      },
    },
  });
}

// ---- Naver --------------------------------------------------------------------------------------

const NAVER_ERRORS = {
  client: ['invalid_client', 'wrong client id / client secret pair'],
  code: ['invalid_request', 'no valid data in session'],
  redirect: ['invalid_request', 'redirect_uri mismatch'],
  state_missing: ['invalid_request', 'state is required'],
  state: ['invalid_request', 'no valid data in session'],
};

function naverToken(params, res, entry) {
  if (params.grant_type !== 'authorization_code') {
    return send(res, 200, { error: 'unsupported_grant_type', error_description: 'grant_type is invalid' });
  }
  const outcome = redeem('naver', params);
  if (outcome.error) {
    const [error, description] = NAVER_ERRORS[outcome.error];
    return send(res, 200, { error, error_description: description });
  }
  const { token, refresh } = issueToken('naver', outcome.record, entry);
  // Naver's expires_in is a string.
  return send(res, 200, { access_token: token, refresh_token: refresh, token_type: 'bearer', expires_in: '3600' });
}

function naverMe(req, res) {
  const grant = bearer(req);
  if (!grant || grant.provider !== 'naver') {
    return send(res, 401, { resultcode: '024', message: 'Authentication failed /* 인증에 실패했습니다. */' });
  }
  const { login } = grant;
  return send(res, 200, {
    resultcode: '00',
    message: 'success',
    response: {
      id: digest(`naver:${login}`).toString('base64url'),
      nickname: nameOf(login),
      name: nameOf(login),
      email: `${login}@example.com`,
      profile_image: PROVIDERS.naver.picture(login),
    },
  });
}

// ---- dispatch -----------------------------------------------------------------------------------

async function handle(req, res, entry) {
  const url = new URL(req.url, origin);
  const query = Object.fromEntries(url.searchParams);
  const text = await readBody(req);
  const body = parseBody(req, text);
  const params = { ...query, ...(body ?? {}) };
  entry.query = query;
  entry.params = body ?? (text ? { raw: text } : {});
  const { pathname: path } = url;
  const [, provider = '', ...rest] = path.split('/');
  const sub = `/${rest.join('/')}`;

  if (path === '/__clients' && req.method === 'POST') {
    for (const client of body ?? []) {
      clients.set(`${client.provider} ${client.client_id}`, {
        client_secret: client.client_secret ?? '',
        redirect_uris: client.redirect_uris ?? [],
      });
    }
    entry.skip = true;
    return send(res, 204, '');
  }
  if (path === '/__log' && req.method === 'GET') {
    entry.skip = true;
    return send(res, 200, { requests });
  }
  if (!PROVIDERS[provider]) return send(res, 404, { message: 'Not Found' });
  entry.provider = provider;

  const picture = sub.match(/^\/pictures\/([^/]+)\.(png|jpg)$/);
  if (picture && req.method === 'GET') {
    entry.endpoint = 'picture';
    const login = decodeURIComponent(picture[1]);
    if (picture[2] === 'jpg') return send(res, 200, JPEG, { 'content-type': 'image/jpeg', 'cache-control': 'max-age=3600' });
    const [r, g, b] = digest(`${provider}:${login}`);
    return send(res, 200, pngBytes(16, 16, [r, g, b]), { 'content-type': 'image/png', 'cache-control': 'max-age=3600' });
  }
  if (sub === '/consent' && req.method === 'POST') {
    entry.endpoint = 'consent';
    return consent(provider, body ?? {}, res, entry);
  }
  const routes = {
    github: {
      'GET /login/oauth/authorize': ['authorize', () => authorize('github', query, res, entry)],
      'POST /login/oauth/access_token': ['token', () => githubToken(req, params, res, entry)],
      'GET /api/user': ['user', () => githubApi(req, res, '/user')],
      'GET /api/user/emails': ['emails', () => githubApi(req, res, '/user/emails')],
    },
    kakao: {
      'GET /oauth/authorize': ['authorize', () => authorize('kakao', query, res, entry)],
      'POST /oauth/token': ['token', () => kakaoToken(req, params, res, entry)],
      'GET /v2/user/me': ['me', () => kakaoMe(req, res)],
      'POST /v2/user/me': ['me', () => kakaoMe(req, res)],
    },
    naver: {
      'GET /oauth2.0/authorize': ['authorize', () => authorize('naver', query, res, entry)],
      'GET /oauth2.0/token': ['token', () => naverToken(params, res, entry)],
      'POST /oauth2.0/token': ['token', () => naverToken(params, res, entry)],
      'GET /v1/nid/me': ['me', () => naverMe(req, res)],
    },
  };
  const route = routes[provider][`${req.method} ${sub}`];
  if (!route) return send(res, 404, { message: 'Not Found' });
  entry.endpoint = route[0];
  return route[1]();
}

const server = http.createServer((req, res) => {
  const entry = {
    provider: null,
    endpoint: null,
    method: req.method,
    url: req.url,
    headers: pickHeaders(req.headers),
    issued: [],
  };
  handle(req, res, entry)
    .then((status) => {
      entry.status = status;
    })
    .catch((error) => {
      console.error(error);
      entry.status = 500;
      if (!res.headersSent) send(res, 500, { message: 'stand-in error' });
    })
    .finally(() => {
      if (!entry.skip) requests.push(entry);
    });
});

server.listen(Number(args.port), args.host, () => {
  origin = `http://${args.host}:${server.address().port}`;
  console.log(`READY ${JSON.stringify({ origin })}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
