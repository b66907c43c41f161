#!/usr/bin/env node
// Keeps the host code shown in the READMEs identical to files that CI compiles: every fenced
// block preceded by `<!-- include: <path>[#<json key>] -->` must hold exactly that file (or that
// key of a JSON file). The files live in test/consumer, whose strict tsc run against the packed
// library (test/consumer.e2e-spec.ts) type-checks them, so a README example cannot drift from the
// API. A ```ts block without an include marker is refused.
//   node scripts/readme-snippets.mjs          check (part of npm run lint)
//   node scripts/readme-snippets.mjs --write  rewrite the blocks from their files
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const READMES = ['README.md', 'libs/wechat/README.md'];
const MARKER = /^<!-- include: ([^\s#]+)(?:#(\S+))? -->\n\n(```[a-z]*)\n([\s\S]*?)```$/gm;
const write = process.argv.includes('--write');

function snippet(path, key) {
  const text = readFileSync(join(root, path), 'utf8');
  if (key === undefined) return text;
  const value = JSON.parse(text)[key];
  if (value === undefined) throw new Error(`${path} has no "${key}"`);
  return `${JSON.stringify({ [key]: value }, null, 2)}\n`;
}

const problems = [];
for (const readme of READMES) {
  const text = readFileSync(join(root, readme), 'utf8');
  const covered = new Set();
  const updated = text.replace(MARKER, (whole, path, key, fence, body, offset) => {
    covered.add(offset + whole.indexOf(fence));
    const expected = snippet(path, key);
    if (body !== expected && !write) {
      problems.push(
        `${readme}: the block included from ${path}${key ? `#${key}` : ''} differs from the file`,
      );
    }
    return whole.replace(`${fence}\n${body}`, `${fence}\n${expected}`);
  });
  for (const match of text.matchAll(/^```ts$/gm)) {
    if (!covered.has(match.index)) {
      const line = text.slice(0, match.index).split('\n').length;
      problems.push(
        `${readme}:${line}: a TypeScript block without <!-- include: … --> (put the code in test/consumer/src and include it)`,
      );
    }
  }
  if (write && updated !== text) writeFileSync(join(root, readme), updated);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    'Run `node scripts/readme-snippets.mjs --write` after changing the included files.',
  );
  process.exit(1);
}
