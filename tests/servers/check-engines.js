#!/usr/bin/env node
// Checks that every package in package-lock.json accepts each Node version the tests support (18.20 and 20): the
// test servers must run on Debian's Node 18 as well as on a newer one. Exit 1, listing the offenders, otherwise.
//
//   node check-engines.js [VERSION...]   (default: 18.20.1 and 20.9.0, the first Node 20 LTS release)
//
// Only the `engines.node` ranges npm records in the lock are read. The range grammar handled is what those fields
// use: `||` alternatives of space-separated comparators (>=, >, <=, <, =, ^, ~, x-ranges) and hyphen ranges.
'use strict';
const fs = require('fs');
const path = require('path');

const parse = (v) => {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?/.exec(v.trim());
  if (!m) return null;
  const num = (s) => (s === undefined || /[xX*]/.test(s) ? null : Number(s));
  return [num(m[1]), num(m[2]), num(m[3])];
};
const cmp = (a, b) => {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
};
const filled = (p) => p.map((x) => (x === null ? 0 : x));

// One comparator -> a predicate over a version triple.
function comparator(text) {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(.*)$/.exec(text);
  const op = m[1] || '';
  const p = parse(m[2]);
  if (!p || p[0] === null) return () => true;  // "*", "x", ""
  const lo = filled(p);
  const bump = (i) => {
    const hi = [lo[0], lo[1], lo[2]];
    hi[i] += 1;
    for (let j = i + 1; j < 3; j++) hi[j] = 0;
    return hi;
  };
  // Upper bound of a partial version ("1.2" -> < 1.3.0).
  const partialHi = p[1] === null ? bump(0) : p[2] === null ? bump(1) : null;
  switch (op) {
    case '>=': return (v) => cmp(v, lo) >= 0;
    case '>': return partialHi ? (v) => cmp(v, partialHi) >= 0 : (v) => cmp(v, lo) > 0;
    case '<': return (v) => cmp(v, lo) < 0;
    case '<=': return partialHi ? (v) => cmp(v, partialHi) < 0 : (v) => cmp(v, lo) <= 0;
    case '~': { const hi = p[1] === null ? bump(0) : bump(1); return (v) => cmp(v, lo) >= 0 && cmp(v, hi) < 0; }
    case '^': {
      const i = lo[0] !== 0 || p[1] === null ? 0 : lo[1] !== 0 || p[2] === null ? 1 : 2;
      const hi = bump(i);
      return (v) => cmp(v, lo) >= 0 && cmp(v, hi) < 0;
    }
    default: return partialHi ? (v) => cmp(v, lo) >= 0 && cmp(v, partialHi) < 0 : (v) => cmp(v, lo) === 0;
  }
}

function satisfies(version, range) {
  const v = filled(parse(version));
  return range.split('||').some((alt) => {
    alt = alt.trim();
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(alt);
    if (hyphen) return comparator('>=' + hyphen[1])(v) && comparator('<=' + hyphen[2])(v);
    const parts = alt.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return parts.every((c) => comparator(c)(v));
  });
}

const versions = process.argv.slice(2).length ? process.argv.slice(2) : ['18.20.1', '20.9.0'];
const lock = JSON.parse(fs.readFileSync(path.join(__dirname, 'package-lock.json'), 'utf8'));
let bad = 0;
let checked = 0;
for (const [where, pkg] of Object.entries(lock.packages || {})) {
  if (!where || pkg.dev) continue;  // the root, and dev dependencies npm ci --omit=dev leaves out
  const range = pkg.engines && (typeof pkg.engines === 'object' ? pkg.engines.node : undefined);
  checked++;
  if (!range) continue;
  for (const v of versions) {
    if (!satisfies(v, range)) {
      console.log(`${where.replace(/^.*node_modules\//, '')}@${pkg.version}: engines.node "${range}" refuses ${v}`);
      bad++;
    }
  }
}
console.log(`${checked} packages checked against Node ${versions.join(', ')}: ${bad ? bad + ' refusals' : 'all accept'}`);
process.exit(bad ? 1 : 0);
