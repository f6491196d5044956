#!/usr/bin/env node
// Drives GitHub's own artifact client (@actions/artifact, pinned in package.json) against the fake Results service,
// with ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL from the environment:
//
//   node artifact-client.js selftest WORKDIR     upload, list, get and download with the official client; exit 0
//                                                when everything round-trips (proves the fake is faithful)
//   node artifact-client.js download NAME DIR    find NAME, download it into DIR with its digest checked; prints
//                                                {"id", "size", "digest", "digestMismatch", "files"} as JSON
'use strict';

const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { DefaultArtifactClient } = require('@actions/artifact');

// The official client refuses to run when GITHUB_SERVER_URL is not github.com; the tests never need it set.
delete process.env.GITHUB_SERVER_URL;

function listFiles(dir, prefix = '') {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel + '/'));
    else out.push(rel);
  }
  return out;
}

async function download(name, dir) {
  const client = new DefaultArtifactClient();
  const { artifact } = await client.getArtifact(name);
  const result = await client.downloadArtifact(artifact.id, { path: dir, expectedHash: artifact.digest });
  return { id: artifact.id, size: artifact.size, digest: artifact.digest || null,
    digestMismatch: result.digestMismatch === true, files: listFiles(dir) };
}

async function selftest(work) {
  const client = new DefaultArtifactClient();
  const root = path.join(work, 'up');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  const small = path.join(root, 'summary.md');
  const big = path.join(root, 'sub', 'data.bin');
  fs.writeFileSync(small, '# summary\n'.repeat(500));
  fs.writeFileSync(big, crypto.randomBytes(9 << 20));  // more than one 8 MiB block

  const up = await client.uploadArtifact('official-client', [small, big], root, { retentionDays: 3 });
  assert.ok(up.id > 0 && up.size > 9 << 20, 'upload: ' + JSON.stringify(up));

  const listed = await client.listArtifacts();
  assert.deepStrictEqual(listed.artifacts.map((a) => a.name), ['official-client']);
  const got = await client.getArtifact('official-client');
  assert.strictEqual(got.artifact.id, up.id);
  assert.strictEqual(got.artifact.digest, 'sha256:' + up.digest);

  const dir = path.join(work, 'down');
  const d = await download('official-client', dir);
  assert.strictEqual(d.digestMismatch, false);
  assert.deepStrictEqual(d.files, ['sub/data.bin', 'summary.md']);
  assert.ok(fs.readFileSync(path.join(dir, 'summary.md')).equals(fs.readFileSync(small)));
  assert.ok(fs.readFileSync(path.join(dir, 'sub', 'data.bin')).equals(fs.readFileSync(big)));

  // The same name twice in a run is refused by the service (409), as GitHub does.
  await assert.rejects(client.uploadArtifact('official-client', [small], root), /409|Conflict|already exists/);
  console.log('official client: upload (' + up.size + ' bytes), list, get, download with digest check: ok');
}

(async () => {
  const [cmd, a, b] = process.argv.slice(2);
  if (cmd === 'selftest' && a) await selftest(a);
  else if (cmd === 'download' && a && b) console.log(JSON.stringify(await download(a, b)));
  else throw new Error('usage: artifact-client.js selftest WORKDIR | download NAME DIR');
})().catch((e) => {
  console.error('artifact-client: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
