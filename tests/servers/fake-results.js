#!/usr/bin/env node
// A fake of GitHub's artifact Results service (artifact protocol v4) for the tests: Twirp JSON over HTTP, with the
// artifacts' bytes kept in Azurite and reached through real SAS URLs signed here with Node's crypto.
//
//   node fake-results.js --port PORT --azurite http://127.0.0.1:AZPORT/devstoreaccount1
//
// Prints "listening PORT" once ready (PORT 0 picks a free one). It is strict where the real service and its official
// client agree: the Bearer token must be a JWT whose `scp` claim holds Actions.Results:<run>:<job> (401 otherwise)
// and the request's backend ids must be that token's (403); bodies are JSON with the proto field names (snake_case,
// unknown fields refused, int64 values as strings); a second artifact of the same name in a run is 409; Finalize
// re-reads the blob from Azurite and checks `size` and the `sha256:` hash against what was really uploaded.
//
// The SAS URLs point at this server, which forwards /devstoreaccount1/... to Azurite unchanged (the signature covers
// the account, container and blob, not the host), so faults can be injected into blob uploads too.
//
// Test hooks (not Twirp):
//   GET  /healthz            200 once Azurite's container exists
//   GET  /_fake/state        the artifacts and a log of every Twirp and blob request
//   POST /_fake/fail         {"method": "CreateArtifact" | ... | "PutBlock" | "PutBlockList", "status": 500,
//                             "count": 1, "drop": false}: the next `count` such requests get `status` (a Twirp
//                             error body), or with drop: true the connection is cut after part of the body arrived
//   POST /_fake/reset        forget the artifacts, the log and the faults
'use strict';

const crypto = require('crypto');
const http = require('http');

const ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development account key (public, the same in every Azurite).
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const CONTAINER = 'actions-results';
const SAS_VERSION = '2021-08-06';
const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const FORBIDDEN_NAME = /[":<>|*?\r\n\\/]/;

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const azurite = new URL(arg('azurite', 'http://127.0.0.1:10000/' + ACCOUNT));
const port = Number(arg('port', '0'));

// --- SAS signing (Azure's documented string-to-sign for version 2020-12-06 and later) -------------------------
const sasTime = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const hmac = (text) => crypto.createHmac('sha256', Buffer.from(ACCOUNT_KEY, 'base64')).update(text, 'utf8').digest('base64');

/// A service SAS for one blob: query string without the leading '?'.
function blobSas(blobName, permissions, contentDisposition = '') {
  const st = sasTime(Date.now() - 5 * 60e3);
  const se = sasTime(Date.now() + 60 * 60e3);
  const resource = `/blob/${ACCOUNT}/${CONTAINER}/${blobName}`;
  const toSign = [permissions, st, se, resource, '', '', 'http', SAS_VERSION, 'b', '', '', '', contentDisposition, '',
    '', ''].join('\n');
  const q = new URLSearchParams({ sv: SAS_VERSION, st, se, sr: 'b', sp: permissions, spr: 'http' });
  if (contentDisposition) q.set('rscd', contentDisposition);
  q.set('sig', hmac(toSign));
  return q.toString();
}

/// An account SAS that may create containers (used once at start).
function accountSas() {
  const st = sasTime(Date.now() - 5 * 60e3);
  const se = sasTime(Date.now() + 60 * 60e3);
  const toSign = [ACCOUNT, 'c', 'b', 'c', st, se, '', 'http', SAS_VERSION, '', ''].join('\n');
  return new URLSearchParams({ sv: SAS_VERSION, ss: 'b', srt: 'c', sp: 'c', st, se, spr: 'http', sig: hmac(toSign) })
    .toString();
}

// --- state ---------------------------------------------------------------------------------------------------
let artifacts = [];  // {id, run, job, name, size, digest, created_at, finalized, blob}
let nextId = 1;
let log = [];
let faults = [];  // {method, status, count, drop}

function takeFault(method) {
  const f = faults.find((x) => x.method === method && x.count > 0);
  if (!f) return null;
  f.count--;
  return f;
}

// --- helpers -------------------------------------------------------------------------------------------------
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const TWIRP_STATUS = { invalid_argument: 400, malformed: 400, failed_precondition: 400, unauthenticated: 401,
  permission_denied: 403, not_found: 404, already_exists: 409, internal: 500, unavailable: 503 };

class TwirpError extends Error {
  constructor(code, msg) {
    super(msg);
    this.code = code;
  }
}

function azureRequest(method, path, query, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: azurite.hostname, port: azurite.port, method, path: path + '?' + query,
      headers: { 'x-ms-version': SAS_VERSION, 'Content-Length': body ? body.length : 0 } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/// The backend ids in the token's scp claim, or a TwirpError.
function tokenIds(req) {
  const auth = req.headers.authorization || '';
  const m = /^Bearer ([^.\s]+)\.([^.\s]+)\.([^.\s]*)$/.exec(auth);
  if (!m) throw new TwirpError('unauthenticated', 'no Bearer JWT in the Authorization header');
  let claims;
  try {
    claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'));
  } catch (e) {
    throw new TwirpError('unauthenticated', 'the token payload is not JSON');
  }
  const scope = String(claims.scp || '').split(' ').map((s) => s.split(':')).find((p) => p[0] === 'Actions.Results');
  if (!scope || scope.length !== 3) throw new TwirpError('unauthenticated', 'the token has no Actions.Results scope');
  return { run: scope[1], job: scope[2] };
}

const FIELDS = {
  CreateArtifact: { required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'version'],
    optional: ['expires_at', 'mime_type'] },
  FinalizeArtifact: { required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'size'],
    optional: ['hash'] },
  ListArtifacts: { required: ['workflow_run_backend_id', 'workflow_job_run_backend_id'],
    optional: ['name_filter', 'id_filter'] },
  GetSignedArtifactURL: { required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name'], optional: [] },
  DeleteArtifact: { required: ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name'], optional: [] },
};

function checkFields(method, body) {
  const spec = FIELDS[method];
  for (const k of Object.keys(body)) {
    if (!spec.required.includes(k) && !spec.optional.includes(k)) {
      throw new TwirpError('malformed', `${method}: unknown field "${k}"`);
    }
  }
  for (const k of spec.required) {
    if (!(k in body)) throw new TwirpError('invalid_argument', `${method}: missing field "${k}"`);
  }
  for (const k of ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'name_filter', 'hash',
    'expires_at', 'mime_type']) {
    if (k in body && typeof body[k] !== 'string') throw new TwirpError('malformed', `${method}: "${k}" must be a string`);
  }
  for (const k of ['size', 'id_filter']) {
    if (k in body && (typeof body[k] !== 'string' || !/^\d+$/.test(body[k]))) {
      throw new TwirpError('malformed', `${method}: "${k}" is an int64 and must be a string of digits`);
    }
  }
}

const blobName = (a) => `${encodeURIComponent(a.run)}/${encodeURIComponent(a.job)}/${a.id}/${encodeURIComponent(a.name)}.zip`;

function publicUrl(req, name, sas) {
  return `http://${req.headers.host}/${ACCOUNT}/${CONTAINER}/${name}?${sas}`;
}

function listed(a) {
  return { workflow_run_backend_id: a.run, workflow_job_run_backend_id: a.job, database_id: String(a.id), name: a.name,
    size: String(a.size), created_at: a.created_at, digest: a.digest };
}

async function twirp(method, req, body) {
  const ids = tokenIds(req);
  if (!/^application\/json\b/.test(req.headers['content-type'] || '')) {
    throw new TwirpError('malformed', 'only the JSON encoding is served (Content-Type: application/json)');
  }
  if (!FIELDS[method]) throw new TwirpError('not_found', `no method ${method}`);
  checkFields(method, body);
  // A job may read and delete what other jobs of its run uploaded (with the ids ListArtifacts gave), but writes as
  // itself only.
  const writes = method === 'CreateArtifact' || method === 'FinalizeArtifact';
  if (body.workflow_run_backend_id !== ids.run || (writes && body.workflow_job_run_backend_id !== ids.job)) {
    throw new TwirpError('permission_denied', 'the backend ids do not match the token');
  }
  const inRun = (a) => a.run === ids.run;
  switch (method) {
    case 'CreateArtifact': {
      if (body.version !== 4 && body.version !== 7) throw new TwirpError('invalid_argument', 'version must be 4 or 7');
      if (!body.name || FORBIDDEN_NAME.test(body.name)) {
        throw new TwirpError('invalid_argument', `invalid artifact name "${body.name}"`);
      }
      if ('expires_at' in body) {
        const t = Date.parse(body.expires_at);
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(body.expires_at) || !(t > Date.now())) {
          throw new TwirpError('invalid_argument', `expires_at "${body.expires_at}" is not a future RFC 3339 time`);
        }
      }
      if (artifacts.some((a) => inRun(a) && a.name === body.name && a.finalized)) {
        throw new TwirpError('already_exists', 'an artifact with this name already exists on the workflow run');
      }
      artifacts = artifacts.filter((a) => !(inRun(a) && a.name === body.name));
      const a = { id: nextId++, run: ids.run, job: ids.job, name: body.name, size: 0, digest: '',
        created_at: new Date().toISOString(), finalized: false, expires_at: body.expires_at || null };
      a.blob = blobName(a);
      artifacts.push(a);
      return { ok: true, signed_upload_url: publicUrl(req, a.blob, blobSas(a.blob, 'cw')) };
    }
    case 'FinalizeArtifact': {
      const a = artifacts.find((x) => inRun(x) && x.name === body.name && !x.finalized);
      if (!a) throw new TwirpError('not_found', `no artifact "${body.name}" being uploaded in this run`);
      const got = await azureRequest('GET', `/${ACCOUNT}/${CONTAINER}/${a.blob}`, blobSas(a.blob, 'r'));
      if (got.status !== 200) throw new TwirpError('failed_precondition', `the blob was not uploaded (${got.status})`);
      if (String(got.body.length) !== body.size) {
        throw new TwirpError('invalid_argument', `size ${body.size} but the blob holds ${got.body.length} bytes`);
      }
      const digest = 'sha256:' + crypto.createHash('sha256').update(got.body).digest('hex');
      if ('hash' in body && body.hash !== digest) {
        throw new TwirpError('invalid_argument', `hash ${body.hash} but the blob is ${digest}`);
      }
      a.size = got.body.length;
      a.digest = 'hash' in body ? digest : '';
      a.finalized = true;
      return { ok: true, artifact_id: String(a.id) };
    }
    case 'ListArtifacts': {
      let found = artifacts.filter((a) => inRun(a) && a.finalized);
      if ('name_filter' in body) found = found.filter((a) => a.name === body.name_filter);
      if ('id_filter' in body) found = found.filter((a) => String(a.id) === body.id_filter);
      return { artifacts: found.map(listed) };
    }
    case 'GetSignedArtifactURL': {
      const a = artifacts.find((x) => inRun(x) && x.name === body.name && x.finalized);
      if (!a) throw new TwirpError('not_found', `no artifact "${body.name}" in this run`);
      return { signed_url: publicUrl(req, a.blob, blobSas(a.blob, 'r')) };
    }
    case 'DeleteArtifact': {
      const a = artifacts.find((x) => inRun(x) && x.name === body.name && x.finalized);
      if (!a) throw new TwirpError('not_found', `no artifact "${body.name}" in this run`);
      artifacts = artifacts.filter((x) => x !== a);
      return { ok: true, artifact_id: String(a.id) };
    }
  }
  throw new TwirpError('not_found', `no method ${method}`);
}

// Forwards a blob request to Azurite, logging it and applying faults.
function proxyBlob(req, res, url) {
  const comp = url.searchParams.get('comp') || '';
  const kind = req.method === 'PUT' ? (comp === 'block' ? 'PutBlock' : comp === 'blocklist' ? 'PutBlockList' : 'PutBlob')
    : req.method === 'GET' ? 'GetBlob' : req.method;
  const entry = { kind, method: req.method, path: url.pathname, blockid: url.searchParams.get('blockid'),
    length: Number(req.headers['content-length'] || 0), authorization: 'authorization' in req.headers,
    x_ms_version: req.headers['x-ms-version'] || null, x_ms_blob_type: req.headers['x-ms-blob-type'] || null,
    content_type: req.headers['content-type'] || null,
    blob_content_type: req.headers['x-ms-blob-content-type'] || null, status: 0 };
  log.push(entry);
  const fault = takeFault(kind);
  if (fault && fault.drop) {
    // Take part of the body, then cut the connection without an answer.
    let seen = 0;
    req.on('data', (c) => {
      seen += c.length;
      if (seen > 0) req.socket.destroy();
    });
    entry.status = 'dropped';
    return;
  }
  if (fault) {
    entry.status = fault.status;
    req.resume();
    res.writeHead(fault.status, { 'Content-Length': 0 });
    res.end();
    return;
  }
  const headers = { ...req.headers, host: azurite.host };
  const up = http.request({ host: azurite.hostname, port: azurite.port, method: req.method,
    path: url.pathname + url.search, headers }, (ares) => {
    entry.status = ares.statusCode;
    res.writeHead(ares.statusCode, ares.headers);
    ares.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith(`/${ACCOUNT}/`)) return proxyBlob(req, res, url);
  try {
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
    if (req.method === 'GET' && url.pathname === '/_fake/state') return send(res, 200, { artifacts, log });
    if (req.method === 'POST' && url.pathname === '/_fake/fail') {
      const f = JSON.parse((await readBody(req)).toString('utf8'));
      faults.push({ method: f.method, status: f.status || 500, count: f.count || 1, drop: !!f.drop });
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/_fake/reset') {
      artifacts = [];
      log = [];
      faults = [];
      return send(res, 200, { ok: true });
    }
    if (req.method !== 'POST' || !url.pathname.startsWith(SERVICE)) return send(res, 404, { code: 'bad_route', msg: url.pathname });
    const method = url.pathname.slice(SERVICE.length);
    const raw = await readBody(req);
    const entry = { kind: 'twirp', method, authorization: req.headers.authorization ? 'Bearer ***' : null,
      content_type: req.headers['content-type'] || null, user_agent: req.headers['user-agent'] || null,
      body: raw.toString('utf8'), status: 0 };
    log.push(entry);
    const fault = takeFault(method);
    if (fault && fault.drop) {
      entry.status = 'dropped';
      return req.socket.destroy();
    }
    if (fault) {
      entry.status = fault.status;
      return send(res, fault.status, { code: 'internal', msg: 'injected fault' });
    }
    let body;
    try {
      body = JSON.parse(entry.body);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch (e) {
      throw new TwirpError('malformed', 'the body is not a JSON object');
    }
    const out = await twirp(method, req, body);
    entry.status = 200;
    return send(res, 200, out);
  } catch (e) {
    const code = e instanceof TwirpError ? e.code : 'internal';
    const status = TWIRP_STATUS[code] || 500;
    if (log.length && log[log.length - 1].kind === 'twirp' && !log[log.length - 1].status) {
      log[log.length - 1].status = status;
      log[log.length - 1].error = e.message;
    }
    return send(res, status, { code, msg: e.message });
  }
});

(async () => {
  // The container every artifact goes into (201 created, 409 already there).
  let r;
  for (let i = 0; i < 50; i++) {
    try {
      r = await azureRequest('PUT', `${azurite.pathname.replace(/\/$/, '')}/${CONTAINER}`, 'restype=container&' + accountSas());
      break;
    } catch (e) {
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  if (!r || (r.status !== 201 && r.status !== 409)) {
    console.error('fake-results: cannot create the container in Azurite: ' + (r ? r.status + ' ' + r.body : 'unreachable'));
    process.exit(1);
  }
  server.listen(port, '127.0.0.1', () => console.log('listening ' + server.address().port));
})();
