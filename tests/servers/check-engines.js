#!/usr/bin/env node
// Checks package-lock.json: every package that will be installed (dev dependencies included) accepts each Node.js
// version the project supports in its `engines` field. Debian bookworm ships Node 18.20; CI images may have 20.
// Usage: node check-engines.js [VERSION...]   (default: 18.20.1, 20.9.0 - the first Node 20 LTS release - and the running version)
'use strict';
const fs = require('fs');
const path = require('path');

function loadSemver() {
  try {
    return require(path.join(__dirname, 'node_modules', 'semver'));
  } catch (_) {
    // npm bundles semver; its folder is next to the running node's global modules.
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    for (const dir of [path.join(prefix, 'lib', 'node_modules'), path.join(prefix, 'share', 'nodejs'),
                       '/usr/share/nodejs', '/usr/lib/node_modules']) {
      for (const p of [path.join(dir, 'semver'), path.join(dir, 'npm', 'node_modules', 'semver')]) {
        try { return require(p); } catch (_) { /* next */ }
      }
    }
  }
  console.error('check-engines: the semver module is not available (npm ci in tests/servers installs it)');
  process.exit(2);
}

const semver = loadSemver();
const versions = process.argv.length > 2 ? process.argv.slice(2)
                                         : ['18.20.1', '20.9.0', process.versions.node];
const lock = JSON.parse(fs.readFileSync(path.join(__dirname, 'package-lock.json'), 'utf8'));
let bad = 0, checked = 0;
for (const [where, pkg] of Object.entries(lock.packages || {})) {
  const range = pkg.engines && (Array.isArray(pkg.engines) ? null : pkg.engines.node);
  if (!range) continue;
  checked++;
  for (const v of versions) {
    if (!semver.satisfies(v, range)) {
      console.error(`${where || '(root)'} ${pkg.version || ''}: engines.node "${range}" does not accept Node ${v}`);
      bad++;
    }
  }
}
console.log(`check-engines: ${checked} packages with engines.node checked against Node ${versions.join(', ')}: ` +
            (bad ? `${bad} problems` : 'all accepted'));
process.exit(bad ? 1 : 0);
