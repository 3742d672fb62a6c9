// Parses statements with Trino's grammar (dt-sql-parser's TrinoSQL, derived from Trino's SqlBase.g4).
// Usage: node validate-trino-sql.mjs PARSER_DIR STATEMENTS_JSON
//   PARSER_DIR holds node_modules/dt-sql-parser (installed by .ci/run from this folder's package.json and lock file).
//   STATEMENTS_JSON: [{"origin": ..., "sql": ...}]; stdout: {"parser": "dt-sql-parser@4.5.1", "results": [{"origin", "errors": [...],
//   "tables": [...]}]}, one result per statement, in order. Exit 0 when every statement was parsed (valid or not).
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

register('./extensionless-resolve.mjs', import.meta.url);

const parserDirectory = process.argv[2];
const packageDirectory = join(parserDirectory, 'node_modules', 'dt-sql-parser');
const { version } = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'));
const { TrinoSQL, EntityContextType } = await import(pathToFileURL(join(packageDirectory, 'dist', 'index.js')).href);

const statements = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const trino = new TrinoSQL();
// ANTLR's default error listener also prints every syntax error to the console; validate() returns them already.
console.error = () => {};
const results = statements.map(({ origin, sql }) => {
  // Trino's client sends one statement without a terminator; a trailing ';' is not part of what Trino receives.
  const text = sql.trim().replace(/;\s*$/, '');
  const errors = trino.validate(text).map(e => `line ${e.startLine}:${e.startColumn} ${e.message}`);
  const tables = errors.length > 0 ? [] : (trino.getAllEntities(text) ?? [])
    .filter(entity => entity.entityContextType === EntityContextType.TABLE)
    .map(entity => entity.text);
  const statementCount = errors.length > 0 ? 1 : trino.splitSQLByStatement(text)?.length ?? 1;
  if (statementCount > 1) {
    errors.push(`${statementCount} statements: Trino's client sends exactly one per request`);
  }
  return { origin, errors, tables };
});
process.stdout.write(JSON.stringify({ parser: `dt-sql-parser@${version}`, results }));
