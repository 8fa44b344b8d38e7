// Prints a table's summary as DuckDB reads it, in the same format as the
// tests' `tableinfo` command (which uses our own reader): the two must agree.
// Usage: NODE_PATH=<node_modules> node duckdb-tableinfo.mjs FILE
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.DUCKDB_NODE_MODULES ?? '.', 'x.js'));
const { DuckDBInstance } = require('@duckdb/node-api');
const file = process.argv[2].replaceAll("'", "''");
const con = await (await DuckDBInstance.create(':memory:')).connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();

const kv = Object.fromEntries((await rows(
  `select decode(key) as k, decode(value) as v from parquet_kv_metadata('${file}')`)).map((r) => [r.k, r.v]));
console.log(`p=${kv.p} op=${kv.op} seed=${kv.seed} train_fraction=${kv.train_fraction} equals_token=${kv.equals_token}`);
for (const step of JSON.parse(kv.history)) console.log(`history: ${step.tool} ${step.args.join(' ')}`);
for (const r of await rows(`select split || '/' || kind as g, count(*)::INT as n from read_parquet('${file}') group by all order by g`)) {
  console.log(`rows ${r.g}: ${r.n}`);
}
const [s] = await rows(`select sum((label <> clean)::INT)::INT as changed,
  sum(label::BIGINT * (a * ${kv.p} + b + 1))::VARCHAR as checksum from read_parquet('${file}')`);
console.log(`changed: ${s.changed}`);
console.log(`checksum: ${s.checksum}`);
