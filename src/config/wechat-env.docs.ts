import { ENV_ROWS, type AnyEnvRow } from './wechat-env.table';

/** The lines around the README's generated table of variables. */
export const README_TABLE_BEGIN =
  '<!-- env-table: generated from src/config/wechat-env.table.ts by `npm run docs:env` -->';
export const README_TABLE_END = '<!-- /env-table -->';

const ENV_EXAMPLE_HEADER = [
  '# Every variable the demo reads, with its default. Copy this file to .env (git-ignored) and',
  '# uncomment what you change: `npm start` reads .env from the working directory, a variable set',
  '# in the environment wins over it, and an empty value counts as unset (the default applies).',
  '# Generated from src/config/wechat-env.table.ts by `npm run docs:env`; a spec fails on drift.',
];

/** The row's description, with what each value of an enum means. */
export function meaningOf(row: AnyEnvRow): string {
  if (row.values === undefined) return row.description;
  const values = Object.entries(row.values).map(([value, meaning]) => `\`${value}\` (${meaning})`);
  return `${row.description}: ${values.join(' or ')}`;
}

/** The content of `.env.example`: every variable, commented out at its default. */
export function renderEnvExample(rows: readonly AnyEnvRow[] = ENV_ROWS): string {
  const blocks = rows.map((row) =>
    [`# ${meaningOf(row)} (${row.type})`, `# ${row.variable}=${row.default ?? ''}`].join('\n'),
  );
  return `${ENV_EXAMPLE_HEADER.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

/** The cells of the README's table, header first: Variable, Type, Default, Meaning. */
export function readmeTableCells(rows: readonly AnyEnvRow[] = ENV_ROWS): string[][] {
  return [
    ['Variable', 'Type', 'Default', 'Meaning'],
    ...rows.map((row) => [
      `\`${row.variable}\``,
      row.type,
      row.default === undefined ? '—' : `\`${row.default}\``,
      meaningOf(row),
    ]),
  ];
}

/** The README's table as Markdown (unpadded; Prettier pads the columns). */
export function renderReadmeTable(rows: readonly AnyEnvRow[] = ENV_ROWS): string {
  const [header, ...body] = readmeTableCells(rows);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/**
 * The cells of the table between the README's markers (as Prettier left it), header first;
 * `undefined` when the markers are missing.
 */
export function parseReadmeTable(readme: string): string[][] | undefined {
  const begin = readme.indexOf(README_TABLE_BEGIN);
  const end = readme.indexOf(README_TABLE_END);
  if (begin < 0 || end < begin) return undefined;
  return readme
    .slice(begin + README_TABLE_BEGIN.length, end)
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

/** `readme` with the table between its markers replaced by {@link renderReadmeTable}'s. */
export function withReadmeTable(readme: string, rows: readonly AnyEnvRow[] = ENV_ROWS): string {
  const begin = readme.indexOf(README_TABLE_BEGIN);
  const end = readme.indexOf(README_TABLE_END);
  if (begin < 0 || end < begin) {
    throw new Error(`the README has no "${README_TABLE_BEGIN}" … "${README_TABLE_END}" block`);
  }
  return `${readme.slice(0, begin)}${README_TABLE_BEGIN}\n\n${renderReadmeTable(rows)}\n\n${readme.slice(end)}`;
}
