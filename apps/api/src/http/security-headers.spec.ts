/**
 * The helmet setup over a real local Express server: the strict default, the two UI policies, and a
 * route's own Content-Security-Policy winning over the default (how the HTML timeline page sets its own).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { securityHeaders } from './security-headers';

let server: Server;
let base: string;
const PAGE_POLICY = "default-src 'none'; style-src 'sha256-abc'; img-src 'self'";

beforeAll(async () => {
  const app = express();
  app.use(securityHeaders({ docs: '/docs', queueDashboard: '/admin/queues' }));
  app.get('/partnerships', (_req, res) => void res.json([]));
  app.get('/page', (_req, res) => {
    res.setHeader('Content-Security-Policy', PAGE_POLICY);
    res.type('html').send('<p>page</p>');
  });
  app.get(['/docs', '/docs-json', '/admin/queues', '/admin/queues/api/queues'], (_req, res) => void res.send('ui'));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const csp = async (path: string) => (await fetch(`${base}${path}`)).headers.get('content-security-policy') ?? '';
const directive = (policy: string, name: string) => policy.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';

describe('securityHeaders', () => {
  it('gives API responses a policy that allows nothing, and the usual helmet headers', async () => {
    const res = await fetch(`${base}/partnerships`);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('lets the OpenAPI UI load its own scripts, inline styles and data: images, and nothing from elsewhere', async () => {
    for (const path of ['/docs', '/docs-json']) {
      const policy = await csp(path);
      expect(directive(policy, 'script-src')).toBe("script-src 'self'");
      expect(directive(policy, 'style-src')).toBe("style-src 'self' 'unsafe-inline'");
      expect(directive(policy, 'img-src')).toBe("img-src 'self' data:");
      expect(directive(policy, 'connect-src')).toBe("connect-src 'self'");
      expect(policy).not.toContain('unsafe-eval');
    }
  });

  it('lets bull-board load its fonts stylesheet as well', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const policy = await csp(path);
      expect(directive(policy, 'script-src')).toBe("script-src 'self'");
      expect(directive(policy, 'style-src')).toContain('https://fonts.googleapis.com');
      expect(directive(policy, 'font-src')).toContain('https://fonts.gstatic.com');
    }
  });

  it('keeps a policy a route sets on its own response', async () => {
    const res = await fetch(`${base}/page`);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
