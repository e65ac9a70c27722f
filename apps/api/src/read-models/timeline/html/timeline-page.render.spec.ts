import { createHash } from 'node:crypto';
import { escapeHtml, html, SafeHtml } from './html';
import { timelinePageModel } from './timeline-page.model';
import { axisTicks, renderErrorPage, renderTimelinePage, TIMELINE_PAGE_CSP, TIMELINE_PAGE_CSS } from './timeline-page.render';
import { eventAt, pageData, participant } from './timeline-page.fixtures';

const SCRIPT = '<script>alert("x")</script>';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(html`<p title="${'" onmouseover="x'}">${SCRIPT}</p>`.value).toBe('<p title="&quot; onmouseover=&quot;x">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  });

  it('keeps its own fragments, joins arrays and drops null, undefined and false', () => {
    expect(html`<ul>${['<a>', html`<li>ok</li>`, null, undefined, false, 0]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>ok</li>0</ul>');
    expect(html`${new SafeHtml('<b>')}`.toString()).toBe('<b>');
  });
});

describe('renderTimelinePage', () => {
  const hostile = () =>
    pageData(
      [
        eventAt('2025-01-01T00:00:00Z', {
          type: 'WorkstreamOpened',
          workstreamId: `ws-<img src=x onerror=alert(1)>`,
          participants: [participant(`p-<b>bold</b>`, ['researcher'], 'research_organization'), participant('p-named', ['practitioner'], 'school', `Ana "<i>" O'Neil ${SCRIPT}`)],
        }),
        eventAt('2025-02-01T00:00:00Z', { to: 'evidence_review', workstreamId: `ws-<img src=x onerror=alert(1)>` }),
        eventAt('2025-03-01T00:00:00Z', {
          workstreamId: `ws-<img src=x onerror=alert(1)>`,
          phase: 'evidence_review',
          phaseOccurrence: 2,
          to: 'problem_framing',
          direction: 'backward',
          reason: `Coaches were not consulted ${SCRIPT}`,
          summary: `summary ${SCRIPT}`,
        }),
      ],
      {},
    );

  it('escapes user input everywhere: reasons, participant ids, names, workstream ids, the partnership name, ledger text', () => {
    const data = hostile();
    const page = renderTimelinePage(
      timelinePageModel({
        ...data,
        timeline: {
          ...data.timeline,
          name: `Valley ${SCRIPT}`,
          backwardTransitions: [
            {
              position: data.events[2]!.position,
              eventId: data.events[2]!.eventId,
              workstreamId: data.events[2]!.workstreamId,
              occurredAt: data.events[2]!.occurredAt,
              recordedAt: data.events[2]!.recordedAt,
              fromPhase: 'evidence_review',
              toPhase: 'problem_framing',
              direction: 'backward',
              reason: `Coaches were not consulted ${SCRIPT}`,
            },
          ],
          disclosureLedger: [
            {
              on: '2025-01-05',
              kind: 'agreement_executed',
              dsaId: 'dsa-1',
              provider: { organizationId: 'org-d', name: `District ${SCRIPT}`, side: 'practice', orgType: 'school_district' },
              recipients: [{ organizationId: 'org-r', name: 'Lab', side: 'research', orgType: 'research_organization' }],
              legalBasis: 'ferpa_studies_exception',
              purpose: `Study ${SCRIPT}`,
              dataCategories: ['attendance'],
              piiIncluded: true,
            },
          ],
        },
        verification: { valid: false, checkedEvents: 2, headHash: 'cd'.repeat(32), firstInvalidRevision: '2', reason: `hash mismatch ${SCRIPT}` },
      }),
    );
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain('<b>bold</b>');
    expect(page).not.toContain('<i>');
    expect(page).toContain('Coaches were not consulted &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('p-&lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('Ana &quot;&lt;i&gt;&quot; O&#39;Neil');
    expect(page).toContain('data-workstream="ws-&lt;img src=x onerror=alert(1)&gt;"');
    expect(page).toContain('<title>Timeline — Valley &lt;script&gt;');
    expect(page).toContain('Study &lt;script&gt;');
    expect(page).toContain('hash mismatch &lt;script&gt;');
  });

  it('shows displayName where the vault has one, else the pseudonymous id, also for recorders', () => {
    const page = renderTimelinePage(
      timelinePageModel(
        pageData([
          eventAt('2025-01-01T00:00:00Z', { participants: [participant('p-1', ['practitioner'], 'school', 'erased participant (practitioner, school)'), participant('p-2', ['researcher'], 'research_organization')] }),
          eventAt('2025-01-02T00:00:00Z', { recorder: { apiKeyId: 'k', participantId: 'p-1', roles: ['practitioner'], organizationId: 'o', organizationType: 'school', side: 'practice' } }),
        ]),
      ),
    );
    expect(page).toContain('<strong>erased participant (practitioner, school)</strong> (practitioner; school)');
    expect(page).toContain('<strong>p-2</strong> (researcher; research organization)');
    expect(page).toContain('recorded by <strong>erased participant (practitioner, school)</strong>');
    expect(page).not.toContain('<strong>p-1</strong>');
  });

  it('draws the phases of each lane in order, lists them with who was at the table, and links backward moves to their event row', () => {
    const events = [
      eventAt('2025-01-01T00:00:00Z', { participants: [participant('p-r', ['researcher'], 'research_organization')] }),
      eventAt('2025-02-01T00:00:00Z', { to: 'evidence_review' }),
      eventAt('2025-03-01T00:00:00Z', { phase: 'evidence_review', phaseOccurrence: 2, to: 'problem_framing', direction: 'backward', reason: 'Not asked' }),
    ];
    const page = renderTimelinePage(timelinePageModel(pageData(events)));
    const svgPhases = [...page.matchAll(/<g class="span ph-[a-z_]+(?: ph-dark)?" data-phase="([a-z_]+)"/g)].map((m) => m[1]);
    expect(svgPhases).toEqual(['problem_framing', 'evidence_review', 'problem_framing']);
    const listed = [...page.matchAll(/<li data-phase="([a-z_]+)"><strong class="phase-label">([^<]+)</g)].map((m) => m[2]);
    expect(listed).toEqual(['Problem framing', 'Evidence review', 'Problem framing']);
    expect(page).toContain('at the table: researcher; research organization');
    expect(page).toContain(`<a href="#event-${events[2]!.position}">moved back</a>: <span class="reason">Not asked</span>`);
    expect(page).toContain(`<tr id="event-${events[2]!.position}" class="backward">`);
  });

  it('shows the verification result and links to it, the reminders issued and scheduled, and a truncation notice', () => {
    const events = [eventAt('2025-01-01T00:00:00Z')];
    const page = renderTimelinePage(
      timelinePageModel(
        pageData(events, {
          truncated: true,
          eventCap: 1,
          timeline: { ...pageData(events).timeline, totalEvents: 7 },
          reminders: {
            partnershipId: '11111111-1111-4111-8111-111111111111',
            timeScale: 1,
            pausedSince: null,
            scheduled: [
              { status: 'scheduled', policy: 'R-03', title: 'problem defined, no agreed agenda', subject: 's', about: { kind: 'workstream', id: 'ws-a' }, workstreamId: 'ws-a', escalation: 0, dueAt: '2025-02-15T00:00:00.000Z', remainingMs: null, pausedSince: null, recipientRoles: ['workstream_leads'], startedAt: '2025-01-01T00:00:00.000Z', jobId: 'j' },
            ],
            issued: [{ eventId: 'e', position: '9', policy: 'R-15', title: 'departure without successor', subject: 's', workstreamId: null, escalation: 0, dueAt: '2025-01-20T00:00:00.000Z', issuedAt: '2025-01-20T00:00:01.000Z', recipientRoles: ['co_leads'] }],
            issuedTruncated: false,
          },
        }),
      ),
    );
    expect(page).toContain('data-verification="valid"');
    expect(page).toContain(`<code class="head-hash">${'ab'.repeat(32)}</code>`);
    expect(page).toContain('<a href="verify" rel="nofollow">GET /partnerships/11111111-1111-4111-8111-111111111111/verify</a>');
    expect(page).toContain('<tr data-policy="R-15"><td>2025-01-20 00:00 UTC</td><td>2025-01-20</td><td><strong>R-15</strong> departure without successor</td>');
    expect(page).toContain('<tr data-policy="R-03"><td>2025-02-15</td>');
    expect(page).toContain('<g class="lane reminders">');
    expect(page).toContain('This page shows the first 1 of 7 events (it reads at most 1)');
  });

  it('has no script at all and only the stylesheet that the Content-Security-Policy allows by hash', () => {
    const page = renderTimelinePage(timelinePageModel(pageData([eventAt('2025-01-01T00:00:00Z')])));
    expect(page).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    expect(page).not.toMatch(/\sstyle=/); // a hash cannot allow style attributes
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toEqual([TIMELINE_PAGE_CSS]);
    const hash = createHash('sha256').update(TIMELINE_PAGE_CSS).digest('base64');
    expect(TIMELINE_PAGE_CSP).toBe(`default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
  });
});

describe('renderErrorPage', () => {
  it('shows the problem, escaped, with its code and correlation id', () => {
    const page = renderErrorPage({ status: 404, title: 'Not found', detail: `Partnership ${SCRIPT} does not exist`, code: 'PARTNERSHIP_NOT_FOUND', correlationId: 'c-1' });
    expect(page).toContain('<title>404 Not found</title>');
    expect(page).toContain('Partnership &lt;script&gt;');
    expect(page).toContain('<code data-code="PARTNERSHIP_NOT_FOUND">PARTNERSHIP_NOT_FOUND</code>');
    expect(page).not.toMatch(/<script/i);
  });
});

describe('axisTicks', () => {
  it('puts at most about twelve month ticks on the axis, years on a long one', () => {
    const short = axisTicks({ start: Date.parse('2025-01-15T00:00:00Z'), end: Date.parse('2025-05-15T00:00:00Z') });
    expect(short.map((t) => t.label)).toEqual(['Feb 2025', 'Mar 2025', 'Apr 2025', 'May 2025']);
    const long = axisTicks({ start: Date.parse('2019-06-01T00:00:00Z'), end: Date.parse('2026-11-22T00:00:00Z') });
    expect(long.map((t) => t.label)).toEqual(['2020', '2021', '2022', '2023', '2024', '2025', '2026']);
    const mid = axisTicks({ start: Date.parse('2024-08-20T00:00:00Z'), end: Date.parse('2026-11-22T00:00:00Z') });
    expect(mid.length).toBeLessThanOrEqual(12);
    expect(mid[0]!.label).toBe('Oct 2024');
  });
});
