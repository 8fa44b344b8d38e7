// Copies a table through DuckDB the way a researcher edits one,
//   COPY (SELECT <select> FROM src) TO dst (FORMAT parquet, <options>, KV_METADATA {...}),
// keeping grokkit's key-value metadata (p, op, seed, …, history), which
// DuckDB drops unless KV_METADATA lists it; --drop-metadata leaves it out.
// Usage: DUCKDB_NODE_MODULES=<node_modules> node duckdb-copy.mjs
//          [--drop-metadata] [--select EXPRS] [--options OPTS] SRC DST
// e.g. --select 'a::BIGINT AS a, b, label::USMALLINT AS label, clean, split, kind'
//      --options 'ROW_GROUP_SIZE 100, PARQUET_VERSION V2'
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(path.join(process.env.DUCKDB_NODE_MODULES ?? '.', 'x.js'));
const { DuckDBInstance } = require('@duckdb/node-api');
const { values: opt, positionals: [src, dst] } = parseArgs({
  allowPositionals: true,
  options: { 'drop-metadata': { type: 'boolean' }, select: { type: 'string' }, options: { type: 'string' } },
});
if (!src || !dst) {
  console.error('usage: duckdb-copy.mjs [--drop-metadata] [--select EXPRS] [--options OPTS] SRC DST');
  process.exit(2);
}
const str = (s) => `'${s.replaceAll("'", "''")}'`;
const con = await (await DuckDBInstance.create(':memory:')).connect();

const options = ['FORMAT parquet'];
if (opt.options) options.push(opt.options);
if (!opt['drop-metadata']) {
  const kv = (await con.runAndReadAll(
    `select decode(key) as k, decode(value) as v from parquet_kv_metadata(${str(src)})`)).getRowObjectsJson();
  options.push(`KV_METADATA {${kv.map((r) => `"${r.k.replaceAll('"', '""')}": ${str(r.v)}`).join(', ')}}`);
}
await con.run(`COPY (SELECT ${opt.select ?? '*'} FROM read_parquet(${str(src)})) TO ${str(dst)} (${options.join(', ')})`);
