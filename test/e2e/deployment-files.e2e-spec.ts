/**
 * docker/: the compose files and the Dockerfile are checked without a Docker engine (none can run on
 * the development machines):
 * - `docker compose config` (or the older `docker-compose config`) validates each compose file when
 *   either binary is installed; otherwise one line says plainly that this check did not run;
 * - every Trellis container's environment is accepted by the engine's own configuration loader, so a
 *   renamed or mistyped variable fails here rather than at start-up in production;
 * - the topology is what docs/operations.md describes (three EventStoreDB nodes gossiping with each
 *   other, every api replica behind the proxy, workers that are not api replicas);
 * - the Dockerfile copies only what exists and runs the entry points the build produces;
 * - docs/operations.md documents every environment variable the code reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@trellis/platform';

const ROOT = path.resolve(__dirname, '../..');
const DOCKER = path.join(ROOT, 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  networks?: unknown;
}
interface ComposeFile {
  services: Record<string, Service>;
}

const read = (file: string): ComposeFile => parse(readFileSync(path.join(DOCKER, file), 'utf8'), { merge: true }) as ComposeFile;

/** `${NAME:-default}` → default, `${NAME}` → '' (an empty environment, as on a fresh machine). */
const interpolate = (value: string): string => value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, _name: string, fallback?: string) => fallback ?? '');

const trellisServices = (compose: ComposeFile) => Object.entries(compose.services).filter(([, s]) => s.image === 'trellis:local');

function composeBinary(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return undefined;
}

describe.each(['compose.yml', 'compose.cluster.yml'])('docker/%s', (file) => {
  const compose = read(file);

  it('is valid for `docker compose config` (when a compose binary is installed)', () => {
    const binary = composeBinary();
    if (!binary) {
      process.stdout.write(`docker/${file}: compose validation NOT RUN — neither \`docker compose\` nor \`docker-compose\` is installed\n`);
      return;
    }
    const [command, ...args] = binary;
    const result = spawnSync(command!, [...args, '-f', path.join(DOCKER, file), 'config', '--quiet'], { encoding: 'utf8', env: { ...process.env, ADMIN_API_KEY: '', PEOPLE_MASTER_KEY: '' } });
    expect(result.stderr.replace(/^.*(WARN|warning).*$/gim, '').trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('gives every Trellis container a configuration the engine accepts (EventStoreDB log, PostgreSQL read store)', () => {
    const services = trellisServices(compose);
    expect(services.length).toBeGreaterThanOrEqual(2);
    for (const [name, service] of services) {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
      let config;
      try {
        config = loadConfig(env);
      } catch (error) {
        throw new Error(`${file} ${name}: ${(error as Error).message}`);
      }
      expect({ name, eventStore: config.eventStore, readStore: config.readStore }).toEqual({ name, eventStore: 'esdb', readStore: 'postgres' });
      expect(env['REDIS_URL']).toMatch(/^redis:\/\/redis:6379/);
      expect(new URL(env['DATABASE_URL']!).hostname).toBe('postgres');
    }
  });

  it('runs api replicas without in-process workers, and workers with the worker entry point', () => {
    const services = trellisServices(compose);
    const apis = services.filter(([, s]) => s.command === undefined);
    const workers = services.filter(([, s]) => s.command !== undefined);
    expect(apis.length).toBeGreaterThanOrEqual(1);
    expect(workers.length).toBeGreaterThanOrEqual(1);
    for (const [, api] of apis) expect(api.environment?.['RUN_WORKERS']).toBe('false');
    for (const [, worker] of workers) expect(worker.command).toEqual(['node', 'dist/apps/worker/main.js']);
    // Exactly one service builds the image the others run.
    expect(services.filter(([, s]) => s.build).map(([, s]) => s.build)).toEqual([{ context: '..', dockerfile: 'docker/Dockerfile' }]);
  });
});

describe('docker/compose.cluster.yml topology', () => {
  const compose = read('compose.cluster.yml');
  const nodes = Object.entries(compose.services).filter(([name]) => name.startsWith('kurrentdb-'));

  it('has a three-node EventStoreDB cluster whose nodes gossip with the two others, and a connection string naming all three', () => {
    expect(nodes).toHaveLength(3);
    const ips = nodes.map(([, s]) => s.environment!['KURRENTDB_REPLICATION_IP']!);
    expect(new Set(ips).size).toBe(3);
    for (const [, node] of nodes) {
      expect(node.environment!['KURRENTDB_CLUSTER_SIZE']).toBe('3');
      const seeds = node.environment!['KURRENTDB_GOSSIP_SEED']!.split(',').map((s) => s.replace(/:2113$/, ''));
      expect(seeds.sort()).toEqual(ips.filter((ip) => ip !== node.environment!['KURRENTDB_REPLICATION_IP']).sort());
    }
    const [api] = trellisServices(compose);
    const url = api![1].environment!['EVENTSTORE_URL']!;
    for (const ip of ips) expect(url).toContain(`${ip}:2113`);
  });

  it('puts every api replica (two or more) behind the proxy, and runs two or more workers', () => {
    const services = trellisServices(compose);
    const apis = services.filter(([, s]) => s.command === undefined).map(([name]) => name);
    expect(apis.length).toBeGreaterThanOrEqual(2);
    expect(services.filter(([, s]) => s.command !== undefined).length).toBeGreaterThanOrEqual(2);
    const nginx = readFileSync(path.join(DOCKER, 'nginx.conf'), 'utf8');
    const upstream = [...nginx.matchAll(/^\s*server\s+([a-z0-9-]+):3000/gm)].map((m) => m[1]);
    expect(upstream.sort()).toEqual(apis.sort());
    expect(Object.keys(compose.services.proxy!.depends_on ?? {}).sort()).toEqual(apis.sort());
    // Server-Sent Events pass through unbuffered.
    expect(nginx).toMatch(/location \/events\/stream \{[^}]*proxy_buffering off;/);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8');

  it('is multi-stage, copies only what the repository has, and runs as an unprivileged user', () => {
    expect([...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\w+)/gm)].map((m) => m[1])).toEqual(['build', 'runtime']);
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('starts the api the build produces, and the compose workers start the worker it produces', () => {
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/api\/main\.js"\]$/m);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build']).toContain('nest build api');
    expect(pkg.scripts['build']).toContain('nest build worker');
    expect(pkg.scripts['start']).toBe('node dist/apps/api/main.js');
    const nest = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { entryFile: string }> };
    expect(nest.projects['worker']?.entryFile).toBe('main');
    expect(nest.projects['api']?.entryFile).toBe('main');
  });
});

describe('docs/operations.md', () => {
  /** Service code (not tests, not test helpers) under apps/ and libs/. */
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return entry === 'testing' || entry === 'node_modules' ? [] : sources(full);
      return /\.ts$/.test(entry) && !/\.(int-|e2e-)?spec\.ts$/.test(entry) ? [full] : [];
    });
  }

  it('documents every environment variable the code reads', () => {
    const variables = new Set<string>();
    const reads = /(?:env|process\.env)\[\s*'([A-Z][A-Z0-9_]+)'\s*\]|\b(?:int|bool|pick|url|list|num)\(\s*'([A-Z][A-Z0-9_]+)'/g;
    for (const file of [...sources(path.join(ROOT, 'apps')), ...sources(path.join(ROOT, 'libs'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(reads)) variables.add((m[1] ?? m[2])!);
    }
    expect(variables.size).toBeGreaterThan(40);
    const guide = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    const undocumented = [...variables].filter((v) => !guide.includes(`\`${v}\``)).sort();
    expect(undocumented).toEqual([]);
    // Families of variables are documented by their pattern.
    expect(guide).toContain('`REMINDER_R<nn>_DAYS`');
    expect(guide).toContain('`STALL_THRESHOLD_DAYS_<CLOCK>`');
  });
});
