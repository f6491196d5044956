#!/usr/bin/env node
// The judge of `treeprint changed --hash-files`: what @actions/glob's hashFiles() (the package the runner's
// hashFiles() expression runs) returns for PATTERNS in WORKSPACE, run from WORKSPACE as the runner runs it.
// Usage: node hash-files-judge.mjs WORKSPACE FOLLOW(true|false) PATTERN...
// Prints {"hash": "..."} or {"error": "..."} (exit 0 either way; 2 on bad usage).
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const [workspace, follow, ...patterns] = process.argv.slice(2);
if (!workspace || (follow !== 'true' && follow !== 'false')) {
  console.error('usage: node hash-files-judge.mjs WORKSPACE true|false PATTERN...');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const glob = await import(path.join(here, 'node_modules', '@actions', 'glob', 'lib', 'glob.js'));
process.chdir(workspace);
try {
  const hash = await glob.hashFiles(patterns.join('\n'), workspace, {followSymbolicLinks: follow === 'true'});
  console.log(JSON.stringify({hash}));
} catch (err) {
  console.log(JSON.stringify({error: String(err && err.message || err)}));
}
