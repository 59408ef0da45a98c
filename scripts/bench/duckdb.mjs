// Times DuckDB computing runlens's basic aggregates on a request log and
// checks them against runlens's JSON report. Run by scripts/bench-duckdb:
//   node duckdb.mjs requests.ndjson out.json RUNLENS_SECONDS
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [log, reportPath, runlensSeconds] = process.argv.slice(2);

// The columns are given: DuckDB infers a schema from the first 20,480 rows
// only, and the marker text is on a few rows.
const load = `CREATE TABLE r AS SELECT
    substr(timestamp, 1, 16) AS minute,
    httpRequest.requestMethod AS method,
    regexp_extract(httpRequest.requestUrl, '^[a-z]+://[^/]+(/[^?#]*)', 1) AS path,
    httpRequest.status AS status,
    CAST(rtrim(httpRequest.latency, 's') AS DECIMAL(18, 9)) AS latency_s,
    labels.instanceId AS instance,
    coalesce(contains(textPayload, 'This request caused a new container instance to be started'), false) AS marker
  FROM read_ndjson('${log}', columns = {
    timestamp: 'VARCHAR',
    httpRequest: 'STRUCT(requestMethod VARCHAR, requestUrl VARCHAR, status INTEGER, latency VARCHAR)',
    labels: 'STRUCT(instanceId VARCHAR)',
    textPayload: 'VARCHAR'
  })`;
const queries = {
  perMinute: 'SELECT minute, count(*) AS n FROM r GROUP BY minute ORDER BY minute',
  endpoints: `SELECT method, path, count(*) AS n,
      quantile_disc(latency_s, 0.50) * 1000 AS p50, quantile_disc(latency_s, 0.95) * 1000 AS p95,
      quantile_disc(latency_s, 0.99) * 1000 AS p99
    FROM r GROUP BY method, path ORDER BY n DESC`,
  classes: `SELECT (status // 100) || 'xx' AS class, count(*) AS n FROM r GROUP BY class ORDER BY class`,
  totals: `SELECT count(*) AS n, count(DISTINCT instance) AS instances, count(*) FILTER (WHERE marker) AS markers,
      sum(latency_s) AS latency_sum_s FROM r`,
};

// Each run starts from a new in-memory database; the median run counts.
const runs = Number(process.env.BENCH_RUNS ?? 3);
const times = [];
let got;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(load);
  got = {};
  for (const [name, sql] of Object.entries(queries)) {
    got[name] = (await conn.runAndReadAll(sql)).getRowObjectsJson();
  }
  times.push((performance.now() - t0) / 1000);
  conn.closeSync?.();
}
const sorted = [...times].sort((x, y) => x - y);
const duckSeconds = sorted[Math.floor(sorted.length / 2)];

const rpt = JSON.parse(readFileSync(reportPath, 'utf8'));
const failures = [];
const same = (what, a, b) => { if (a !== b) failures.push(`${what}: runlens ${a}, DuckDB ${b}`); };
const near = (what, a, b) => {
  if (Math.abs(a - b) > 0.01 * Math.abs(b)) failures.push(`${what}: runlens ${a} ms, DuckDB ${b} ms: more than 1 % apart`);
};

const totals = got.totals[0];
same('requests', rpt.server.total.requests, Number(totals.n));
same('distinct instances', rpt.instances.distinct, Number(totals.instances));
// Every simulated instance carries the marker on its first request only.
same('cold-start markers', rpt.cold_starts.count, Number(totals.markers));
const sumMS = rpt.server.total.avg_ms * rpt.server.total.requests;
if (Math.abs(sumMS - Number(totals.latency_sum_s) * 1000) > 1e-6 * sumMS) {
  failures.push(`latency sum: runlens ${sumMS} ms, DuckDB ${Number(totals.latency_sum_s) * 1000} ms`);
}
for (const c of got.classes) {
  same(`status ${c.class}`, rpt.server.total[`status_${c.class}`], Number(c.n));
}
for (const e of got.endpoints) {
  const mine = rpt.server.endpoints.find((x) => x.method === e.method && x.path === e.path);
  if (!mine) { failures.push(`endpoint ${e.method} ${e.path}: not in runlens's report`); continue; }
  same(`${e.method} ${e.path} requests`, mine.requests, Number(e.n));
  for (const p of ['p50', 'p95', 'p99']) near(`${e.method} ${e.path} ${p}`, mine[`${p}_ms`], Number(e[p]));
}
const perMinute = new Map();
for (const p of rpt.series.server) {
  const m = p.time.slice(0, 16);
  perMinute.set(m, (perMinute.get(m) ?? 0) + p.requests);
}
same('minutes with requests', perMinute.size, got.perMinute.length);
let minuteDiffs = 0;
for (const m of got.perMinute) if (perMinute.get(m.minute) !== Number(m.n)) minuteDiffs++;
same('minutes whose counts differ', minuteDiffs, 0);

const ratio = duckSeconds / Number(runlensSeconds);
console.log(`DuckDB (@duckdb/node-api, load + ${Object.keys(queries).length} queries): ${duckSeconds.toFixed(2)} s ` +
  `(median of ${runs}: ${times.map((t) => t.toFixed(2)).join(', ')})`);
console.log(`runlens report: ${Number(runlensSeconds).toFixed(2)} s`);
console.log(`ratio: runlens is ${ratio.toFixed(2)}x as fast as DuckDB`);
console.log(`answers: ${got.perMinute.length} minutes, ${got.endpoints.length} endpoints, ${got.classes.length} status classes, ` +
  `${totals.instances} instances, ${totals.markers} markers compared`);
if (failures.length > 0) {
  console.log(`DISAGREE (${failures.length}):\n  ` + failures.join('\n  '));
  process.exit(1);
}
console.log('answers agree');
