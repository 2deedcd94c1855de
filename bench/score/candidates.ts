/**
 * Candidate Parquet libraries that are not project dependencies, loaded from a separate folder so the
 * comparison does not change the product's dependencies:
 *   mkdir -p /tmp/pq-candidates && cd /tmp/pq-candidates && npm init -y &&
 *   npm install --save-exact parquet-wasm@0.8.0 apache-arrow@21.2.0 @duckdb/node-api@1.5.6-r.1
 *   PARQUET_CANDIDATES=/tmp/pq-candidates node dist/bench/score/parquet-layers.js
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

export function candidate<T = any>(name: string): T {
  const dir = process.env.PARQUET_CANDIDATES;
  if (!dir) throw new Error(`set PARQUET_CANDIDATES to a folder where ${name} is installed (see bench/score/candidates.ts)`);
  return createRequire(path.join(path.resolve(dir), 'package.json'))(name) as T;
}
