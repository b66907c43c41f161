// Writes the demo's variables from their table (src/config/wechat-env.table.ts) into .env.example
// and into the README's table (between its env-table markers, formatted by Prettier). The spec
// src/config/wechat-env.docs.spec.ts fails while either differs from the table.
//   npm run docs:env
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderEnvExample, withReadmeTable } from '../src/config/wechat-env.docs';

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  writeFileSync(join(root, '.env.example'), renderEnvExample());
  const readmePath = join(root, 'README.md');
  const readme = withReadmeTable(readFileSync(readmePath, 'utf8'));
  const config = await resolveConfig(readmePath);
  writeFileSync(readmePath, await format(readme, { ...config, filepath: readmePath }));
}

void main();
