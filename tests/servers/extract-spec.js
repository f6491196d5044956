#!/usr/bin/env node
// Cuts the operations the REST layer uses out of GitHub's dereferenced OpenAPI description, so Prism starts in a
// second or two and CI does not need the 385 MB @octokit/openapi package. The output is committed as
// github-subset.json; run this again (after `npm ci`, which installs @octokit/openapi as a dev dependency) when the
// operations below change:
//
//   node extract-spec.js [node_modules/@octokit/openapi/generated/api.github.com.deref.json] [github-subset.json]
//
// GitHub's description lists only application/json responses, so Prism's mock answers 406 to the
// `Accept: application/vnd.github+json` that GitHub asks clients to send; every JSON response is offered under both
// media types here.
'use strict';
const fs = require('fs');
const path = require('path');

const operations = {
  '/repos/{owner}/{repo}/check-runs': ['post'],
  '/repos/{owner}/{repo}/check-runs/{check_run_id}': ['patch'],
  '/repos/{owner}/{repo}/statuses/{sha}': ['post'],
  '/repos/{owner}/{repo}/issues/{issue_number}/comments': ['get', 'post'],
  '/repos/{owner}/{repo}/issues/comments/{comment_id}': ['patch'],
  '/repos/{owner}/{repo}/actions/artifacts': ['get'],
  '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': ['get'],
  '/repos/{owner}/{repo}/actions/runs/{run_id}': ['get'],
  '/repos/{owner}/{repo}/compare/{basehead}': ['get'],
  '/user': ['get'],
};

const input = process.argv[2] ||
    path.join(__dirname, 'node_modules/@octokit/openapi/generated/api.github.com.deref.json');
const output = process.argv[3] || path.join(__dirname, 'github-subset.json');
const spec = JSON.parse(fs.readFileSync(input, 'utf8'));
const subset = {
  openapi: spec.openapi,
  info: {...spec.info, description: 'A subset of ' + spec.info.title + ' cut by tests/servers/extract-spec.js'},
  servers: [{url: 'http://127.0.0.1'}],
  paths: {},
};
for (const [p, methods] of Object.entries(operations)) {
  const item = spec.paths[p];
  if (!item) throw new Error('no such path in the description: ' + p);
  subset.paths[p] = {};
  if (item.parameters) subset.paths[p].parameters = item.parameters;
  for (const m of methods) {
    const op = item[m];
    if (!op) throw new Error('no ' + m.toUpperCase() + ' ' + p + ' in the description');
    for (const response of Object.values(op.responses || {})) {
      const content = response.content;
      if (content && content['application/json'] && !content['application/vnd.github+json']) {
        content['application/vnd.github+json'] = content['application/json'];
      }
    }
    subset.paths[p][m] = op;
  }
}
fs.writeFileSync(output, JSON.stringify(subset, null, 1) + '\n');
console.log('wrote ' + output + ': ' + Object.keys(subset.paths).length + ' paths from ' + spec.info.title + ' ' +
            spec.info.version);
