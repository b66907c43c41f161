import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseReadmeTable,
  readmeTableCells,
  renderEnvExample,
  withReadmeTable,
} from './wechat-env.docs';
import { ENV_ROWS, ENV_VARIABLES } from './wechat-env.table';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const FIX = 'Run `npm run docs:env` to rewrite it from src/config/wechat-env.table.ts.';

describe('the docs of the demo variables follow their table', () => {
  it('.env.example is the rendered table', () => {
    const shipped = read('.env.example');
    if (shipped !== renderEnvExample())
      throw new Error(`.env.example differs from the table. ${FIX}`);
    expect(shipped).toBe(renderEnvExample());
  });

  it('.env.example lists every variable at its default, commented out', () => {
    const lines = read('.env.example').split('\n');
    for (const row of ENV_ROWS) {
      expect(lines).toContain(`# ${row.variable}=${row.default ?? ''}`);
    }
    expect(lines.filter((line) => /^[A-Z_]+=/.test(line))).toEqual([]);
  });

  it("the README's table is the rendered table", () => {
    const cells = parseReadmeTable(read('README.md'));
    if (JSON.stringify(cells) !== JSON.stringify(readmeTableCells())) {
      throw new Error(`The README's table of demo variables differs from the table. ${FIX}`);
    }
    expect(cells?.slice(1).map((row) => row[0])).toEqual(ENV_VARIABLES.map((v) => `\`${v}\``));
  });

  it('reads a table back as it renders it, padded or not', () => {
    const readme = withReadmeTable(
      '# Title\n\nbefore\n<!-- env-table: generated from src/config/wechat-env.table.ts by `npm run docs:env` -->\nold\n<!-- /env-table -->\nafter\n',
    );
    expect(parseReadmeTable(readme)).toEqual(readmeTableCells());
    const padded = readme.replace('| `PORT` |', '|   `PORT`    |');
    expect(parseReadmeTable(padded)).toEqual(readmeTableCells());
    expect(readme.endsWith('<!-- /env-table -->\nafter\n')).toBe(true);
  });

  it('notices a README without its table', () => {
    expect(parseReadmeTable('# no table')).toBeUndefined();
    expect(() => withReadmeTable('# no table')).toThrow('the README has no');
  });
});
