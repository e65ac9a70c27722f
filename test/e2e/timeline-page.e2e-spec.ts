/**
 * The timeline page in a real browser: Debian's headless Chromium driven by playwright-core, with
 * JavaScript disabled, against the real application with its workers in process (real PostgreSQL,
 * real Redis). The seed scenario's tool path is recorded over HTTP, then a backward move (with a
 * `<script>` in its reason) and a departure without successor, back-dated so that its reminder
 * is already overdue and issued at once. The page must show the phases in order, the reason
 * as text, who was at the table, the reminder, the chain verification and its link; a full-page
 * screenshot is saved to test/artifacts/timeline.png.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PHASE_LABELS, TIMELINE_PAGE_CSP } from '../../apps/api/src/read-models/timeline/html/timeline-page.render';
import { ApiClient } from '../support/api-client';
import { TOOL_PATH, playScenario } from '../support/seed-scenarios';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/webhook-receiver';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const SCREENSHOT = join(ARTIFACTS, 'timeline.png');
const HOSTILE_REASON = 'Families were never at the table <script>document.title="owned"</script>';
const WORKSTREAM = TOOL_PATH.workstreamId;

let t: TestApp;
let api: ApiClient;
let browser: Browser;
let context: BrowserContext;
let partnershipId: string;
/** Console errors of every page (Chromium reports Content-Security-Policy violations there, script or no script). */
const consoleErrors: string[] = [];

/** The one browser global used in the page (the project compiles without the DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { fill: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every projection has applied everything in the log (the page reads the timeline read model). */
async function projectionsCaughtUp(timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get('/admin/projections');
    if (body.projections?.length > 0 && body.projections.every((p: any) => p.lag === '0' && p.status !== 'rebuilding')) return;
    if (Date.now() > end) throw new Error(`projections did not catch up: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}

async function openPage(path: string): Promise<{ page: Page; status: number; headers: Record<string, string> }> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const response = await page.goto(`${t.url}${path}`, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${path}`);
  return { page, status: response.status(), headers: await response.allHeaders() };
}

beforeAll(async () => {
  // Never skipped: without Chromium the page is untested, and that is a failure (CI installs it).
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  t = await startTestApp({ env: { RUN_WORKERS: 'true' } });
  api = new ApiClient(t.url, t.adminKey);
  partnershipId = await playScenario(api, TOOL_PATH);
  await api.commands(partnershipId, [
    ['TransitionPhase', { workstreamId: WORKSTREAM, toPhase: 'problem_framing', reason: HOSTILE_REASON }, { occurredAt: '2026-05-04T15:00:00Z' }],
    // R-15 (departure without successor, 30 days): the clock started in June, so it is overdue and issued at once.
    ['DepartParticipant', { participantId: 'p-principal-chavez', reason: 'Moved to another district' }, { occurredAt: '2026-06-01T15:00:00Z' }],
  ]);
  await projectionsCaughtUp();
  await eventually(async () => {
    const res = await api.get(`/partnerships/${partnershipId}/reminders`);
    return res.body.issued?.some((r: any) => r.policy === 'R-15') ? res.body : undefined;
  }, 'R-15 issued', 60_000);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext({
    javaScriptEnabled: false,
    extraHTTPHeaders: { Authorization: `Bearer ${t.adminKey}` },
    viewport: { width: 1280, height: 900 },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the timeline page in headless Chromium (JavaScript disabled)', () => {
  let page: Page;
  let status: number;
  let headers: Record<string, string>;

  beforeAll(async () => {
    // The browser's own Accept header (text/html preferred) selects the page on the JSON route.
    ({ page, status, headers } = await openPage(`/partnerships/${partnershipId}/timeline`));
  }, 60_000);

  it('loads: 200, HTML, the partnership as title, a strict Content-Security-Policy', async () => {
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toBe(TIMELINE_PAGE_CSP);
    expect(headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['vary']).toMatch(/Accept/i);
    expect(await page.title()).toBe(`Timeline — ${TOOL_PATH.proposal['name']}`);
    expect(await page.locator('h1').textContent()).toBe(TOOL_PATH.proposal['name']);
    // The inline stylesheet applied: the policy's hash matches it (problem framing is drawn amber).
    const fill = await page.locator('svg.lanes g.span[data-phase="problem_framing"] rect').first().evaluate((r) => (globalThis as unknown as BrowserWindow).getComputedStyle(r).fill);
    expect(fill).toBe('rgb(230, 159, 0)');
  });

  it('shows the seed scenario’s phases in order on the workstream lane, then the backward move', async () => {
    const expected = ['problem_framing', ...TOOL_PATH.expectedPhases, 'problem_framing'];
    const drawn = await page.locator(`svg.lanes g.lane[data-workstream="${WORKSTREAM}"] g.span`).evaluateAll((spans) => spans.map((s) => s.getAttribute('data-phase')));
    expect(drawn).toEqual(expected);
    const listed = await page.locator(`ol.phase-list[data-workstream="${WORKSTREAM}"] .phase-label`).allTextContents();
    expect(listed).toEqual(expected.map((p) => PHASE_LABELS[p as keyof typeof PHASE_LABELS]));
    // The spans are laid out left to right along time, each one starting where the previous ended.
    const xs = await page.locator(`svg.lanes g.lane[data-workstream="${WORKSTREAM}"] g.span rect`).evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('x'))));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it('shows the backward move’s reason as text: no script element injected, none at all on the page', async () => {
    const row = page.locator('#transitions tr.backward');
    await expect(row.locator('td.reason').textContent()).resolves.toBe(HOSTILE_REASON);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.title()).not.toBe('owned');
    expect(await page.content()).not.toContain('<script');
    expect(await page.getByText(HOSTILE_REASON).count()).toBeGreaterThanOrEqual(2); // the moves table and the event row
  });

  it('shows who was at the table: participants with roles and organization types, per event and per phase', async () => {
    const interpretation = page.locator('table.events tr', { hasText: 'FindingsJointlyInterpreted' });
    const who = await interpretation.locator('td').nth(4).textContent();
    expect(who).toContain('p-teacher-lincoln (practitioner; school)');
    expect(who).toContain('p-researcher (researcher; research organization)');
    expect(who).toContain('p-district-lead (practitioner, coordinator; school district)');
    const jointInterpretation = page.locator(`ol.phase-list[data-workstream="${WORKSTREAM}"] li[data-phase="joint_interpretation"]`);
    expect(await jointInterpretation.textContent()).toMatch(/at the table: .*practitioner.*researcher.*; .*research organization.*school/);
  });

  it('shows the reminder issued (R-15, departure without successor) and draws it on its lane', async () => {
    const reminder = page.locator('table.reminders-issued tr[data-policy="R-15"]');
    expect(await reminder.count()).toBe(1);
    expect(await reminder.textContent()).toContain('R-15');
    expect(await page.locator('svg.lanes g.reminders g.reminder').count()).toBeGreaterThanOrEqual(1);
  });

  it('shows the chain verification computed as GET /verify computes it, and links to it', async () => {
    const verify = await api.get(`/partnerships/${partnershipId}/verify`);
    expect(verify.body.valid).toBe(true);
    expect(await page.locator('[data-verification]').textContent()).toBe('valid');
    expect(await page.locator('[data-checked-events]').getAttribute('data-checked-events')).toBe(String(verify.body.checkedEvents));
    expect(await page.locator('code.head-hash').textContent()).toBe(verify.body.headHash);
    const link = page.locator('#verification a[href="verify"]');
    expect(await link.count()).toBe(1);
    // Following the link (a plain anchor, no script) reaches the JSON verification.
    const [response] = await Promise.all([page.waitForNavigation(), link.click()]);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${t.url}/partnerships/${partnershipId}/verify`);
    expect(JSON.parse((await page.locator('body').textContent()) ?? '{}')).toMatchObject({ valid: true, headHash: verify.body.headHash });
    await page.goBack();
  });

  it('saves a full-page screenshot as a test artifact', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const fresh = await openPage(`/partnerships/${partnershipId}/timeline.html`);
    expect(fresh.status).toBe(200);
    await fresh.page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await fresh.page.close();
  });

  it('broke no Content-Security-Policy rule on any page', () => {
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });
});

describe('the same route for API clients, and errors', () => {
  it('keeps answering JSON without an Accept header or with a wildcard', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const res = await api.get(`/partnerships/${partnershipId}/timeline?limit=2`, accept ? { Accept: accept } : {});
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.events).toHaveLength(2);
    }
  });

  it('serves /timeline.html whatever the Accept header; the negotiated route still refuses what it cannot produce (406)', async () => {
    const page = await api.get(`/partnerships/${partnershipId}/timeline.html`, { Accept: 'application/json' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csv = await api.get(`/partnerships/${partnershipId}/timeline`, { Accept: 'text/csv' });
    expect(csv.status).toBe(406);
    expect(csv.body.code).toBe('NOT_ACCEPTABLE');
  });

  it('answers an unknown partnership with an HTML 404 page in the browser, and problem+json to a client asking for it', async () => {
    const unknown = '99999999-9999-4999-8999-999999999999';
    const { page, status, headers } = await openPage(`/partnerships/${unknown}/timeline.html`);
    expect(status).toBe(404);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toBe(TIMELINE_PAGE_CSP);
    expect(await page.title()).toBe('404 Not found');
    expect(await page.locator('[data-code]').textContent()).toBe('PARTNERSHIP_NOT_FOUND');
    await page.close();
    const problem = await api.get(`/partnerships/${unknown}/timeline.html`, { Accept: 'application/problem+json' });
    expect(problem.status).toBe(404);
    expect(problem.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem.body.code).toBe('PARTNERSHIP_NOT_FOUND');
  });

  it('needs an API key like every route: 401 as an HTML page for a browser without one', async () => {
    const anonymous = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await anonymous.newPage();
      const response = await page.goto(`${t.url}/partnerships/${partnershipId}/timeline`);
      expect(response?.status()).toBe(401);
      expect(await page.locator('[data-code]').textContent()).toBe('UNAUTHENTICATED');
      expect(await page.content()).not.toContain(TOOL_PATH.proposal['name'] as string);
    } finally {
      await anonymous.close();
    }
  });
});
