'use strict';
/**
 * The benchmark's own use of PostgreSQL: one admin connection to create and drop the per-subject
 * schemas (every schema this process creates carries its run id, and is dropped again even when a
 * round fails or the run is interrupted) and to read server settings for the report.
 */
const { Client } = require('pg');

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA_PREFIX = 'tbench_';

class BenchDatabase {
  constructor(url) {
    this.url = url;
    this.runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
    this.created = new Set();
    this.counter = 0;
    this.admin = null;
  }

  async connect() {
    this.admin = new Client({ connectionString: this.url, application_name: 'trellis-bench-admin' });
    await this.admin.connect();
  }

  async query(text, params) {
    return this.admin.query(text, params);
  }

  /** A fresh, empty schema name (not created: some subjects create their schema themselves). */
  schemaName(label) {
    this.counter += 1;
    const name = `${SCHEMA_PREFIX}${this.runId}_${label.replace(/[^a-z0-9]/g, '')}_${this.counter}`.slice(0, 50);
    this.created.add(name);
    return name;
  }

  async createSchema(name) {
    await this.admin.query(`CREATE SCHEMA ${name}`);
  }

  async dropSchema(name) {
    await this.admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    this.created.delete(name);
  }

  /** Drops whatever this run created and has not dropped yet (after a failure or on Ctrl-C). */
  async dropAll() {
    for (const name of [...this.created]) await this.dropSchema(name).catch(() => undefined);
  }

  /**
   * Flushes dirty buffers before a measured window, so that a checkpoint caused by the previous
   * subject's writes does not land in the next subject's window. Skipped silently if not allowed.
   */
  async checkpoint() {
    await this.admin.query('CHECKPOINT').catch(() => undefined);
  }

  async settings() {
    const names = ['server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'max_connections'];
    const { rows } = await this.admin.query(
      `SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)`,
      [names],
    );
    const out = {};
    for (const r of rows) out[r.name] = r.name === 'shared_buffers' ? `${(Number(r.setting) * 8) / 1024} MB` : r.setting;
    const { rows: activity } = await this.admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    out.otherClientSessions = activity[0].n;
    return out;
  }

  async close() {
    await this.admin?.end().catch(() => undefined);
  }
}

module.exports = { BenchDatabase, DEFAULT_URL, SCHEMA_PREFIX };
