#!/usr/bin/env node
// Drives GitHub's own artifact client (@actions/artifact, pinned in package.json) against the fake Results service,
// with ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL from the environment:
//
//   node artifact-client.js selftest WORKDIR     upload, list, get and download with the official client; exit 0
//                                                when everything round-trips (proves the fake is faithful)
//   node artifact-client.js download NAME DIR    find NAME, download it into DIR with its digest checked; prints
//                                                {"id", "size", "digest", "digestMismatch", "files"} as JSON
//   node artifact-client.js upload NAME DIR [--exclude-hidden]
//                                                upload the files below DIR as actions/upload-artifact finds them
//                                                for `path: DIR`: symlinks followed (a link's path carries its
//                                                target's bytes), broken links left out, and with --exclude-hidden
//                                                names starting with '.' left out (its default since v4.4); prints
//                                                {"id", "size", "files"} as JSON
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

// The files upload-artifact's search (@actions/glob, following symbolic links, omitting broken ones) finds below
// `root`, relative names in order.
function searchFiles(root, excludeHidden, prefix = '') {
  const out = [];
  for (const name of fs.readdirSync(path.join(root, prefix)).sort()) {
    if (excludeHidden && name.startsWith('.')) continue;
    const rel = prefix + name;
    let st;
    try {
      st = fs.statSync(path.join(root, rel));  // follows links, as the search does
    } catch (e) {
      continue;  // a broken link
    }
    if (st.isDirectory()) out.push(...searchFiles(root, excludeHidden, rel + '/'));
    else if (st.isFile()) out.push(rel);
  }
  return out;
}

async function upload(name, root, excludeHidden) {
  const client = new DefaultArtifactClient();
  const files = searchFiles(root, excludeHidden);
  const up = await client.uploadArtifact(name, files.map((f) => path.join(root, f)), root);
  return { id: up.id, size: up.size, files };
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
  else if (cmd === 'upload' && a && b) {
    console.log(JSON.stringify(await upload(a, b, process.argv.slice(5).includes('--exclude-hidden'))));
  } else throw new Error('usage: artifact-client.js selftest WORKDIR | download NAME DIR | upload NAME DIR');
})().catch((e) => {
  console.error('artifact-client: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
