/**
 * The timeline page as HTML (pure: model in, string out). One static stylesheet — allowed by its
 * SHA-256 in the Content-Security-Policy, so the page needs neither `unsafe-inline` nor a nonce —
 * and no script at all; the lanes are an inline SVG drawn with presentation attributes and classes
 * (no `style` attributes, which a hash cannot allow). Every value goes through `html`, which escapes.
 */
import { createHash } from 'node:crypto';
import type { Phase } from '@trellis/domain';
import type { TimelineEventView, TimelineParticipantView } from '@trellis/projections';
import { html, SafeHtml } from './html';
import type { EventMark, Lane, PhaseSpan, TimeRange, TimelinePageModel } from './timeline-page.model';

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  problem_framing: 'Problem framing',
  evidence_review: 'Evidence review',
  co_design: 'Co-design',
  pilot: 'Pilot',
  input_revision: 'Input & revision',
  formal_study: 'Formal study',
  joint_interpretation: 'Joint interpretation',
  use_dissemination: 'Use & dissemination',
  concluded: 'Concluded',
};

// Okabe–Ito based, readable with colour-vision deficiencies; every span also carries its label.
export const TIMELINE_PAGE_CSS = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bad:#b42318;--good:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:20px;border-bottom:1px solid var(--line)}
h1{font-size:1.7rem;margin:0 0 4px}
h2{font-size:1.25rem;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1.05rem;margin:18px 0 6px}
.meta,.note{color:var(--muted)}
.notice{border:1px solid var(--warn);background:#fff8c5;padding:8px 12px;border-radius:6px}
.verification{border:2px solid var(--line);border-radius:8px;padding:10px 14px;margin-top:14px}
.verification.valid{border-color:var(--good)}
.verification.broken{border-color:var(--bad);background:#fff1f0}
.status-valid{color:var(--good);font-weight:700}
.status-broken{color:var(--bad);font-weight:700}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td ul{margin:0;padding-left:16px}
table.events{table-layout:fixed}
.c-pos{width:4%}.c-when{width:10%}.c-ws{width:13%}.c-event{width:35%}.c-who{width:28%}.c-signals{width:10%}
li.recorder{color:var(--muted);font-size:.85em;list-style:circle}
tr.backward td{background:#fff1f0}
tr.skip td{background:#fff8c5}
.reason{font-style:italic}
.lanes{width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
.lanes text{font-size:12px;fill:var(--ink)}
.lanes .axis text{fill:var(--muted);font-size:11px}
.lanes .axis line{stroke:#eaeef2}
.lanes .lane-label{font-weight:600}
.lanes .lane-bg{fill:#f6f8fa;fill-opacity:.55}
.lanes .span rect{stroke:#fff;stroke-width:1}
.lanes .span text{font-size:11px}
.lanes .mark line{stroke:#8c959f;stroke-width:1.5}
.lanes .mark.forward line{stroke:#24292f;stroke-width:2}
.lanes .mark.backward line{stroke:var(--bad);stroke-width:3}
.lanes .mark.skip line{stroke:var(--warn);stroke-width:3}
.lanes .reminder circle{fill:#8250df}
.lanes .now line{stroke:var(--bad);stroke-dasharray:4 3}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px}
.legend li{display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px;border:1px solid #0002}
.phase-list{margin:4px 0 10px;padding-left:22px}
.ph-problem_framing{fill:#e69f00;background:#e69f00}
.ph-evidence_review{fill:#56b4e9;background:#56b4e9}
.ph-co_design{fill:#009e73;background:#009e73}
.ph-pilot{fill:#f0e442;background:#f0e442}
.ph-input_revision{fill:#cc79a7;background:#cc79a7}
.ph-formal_study{fill:#0072b2;background:#0072b2}
.ph-joint_interpretation{fill:#d55e00;background:#d55e00}
.ph-use_dissemination{fill:#7fc97f;background:#7fc97f}
.ph-concluded{fill:#999;background:#999}
.lanes .span.ph-dark text{fill:#fff}
footer{margin-top:32px;padding-bottom:24px;border-top:1px solid var(--line);color:var(--muted)}
@media print{.lanes{border:0}a{color:inherit}}
`;

const hashOf = (css: string) => `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;

/**
 * No script, no plugin, no fetch of any kind; the one stylesheet by hash; not framable; no form
 * targets or base URL to hijack. Shared by the page and its error page (same stylesheet).
 */
export const TIMELINE_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${hashOf(TIMELINE_PAGE_CSS)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DARK_PHASES: ReadonlySet<Phase> = new Set(['co_design', 'formal_study', 'joint_interpretation', 'concluded']);

const words = (value: string): string => value.replaceAll('_', ' ');
const phaseLabel = (phase: Phase | null): string => (phase ? PHASE_LABELS[phase] ?? words(phase) : '—');
const laneLabel = (lane: Pick<Lane, 'workstreamId'>): string => lane.workstreamId ?? 'Partnership';

/** `YYYY-MM-DD` (UTC) of an ISO time; the raw text when it is not one. */
function day(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : iso;
}

const minute = (iso: string): string => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
};

const list = (values: readonly string[]): string => (values.length === 0 ? '—' : values.map(words).join(', '));

/** Who someone is on the page: the name from the people vault (or its erasure label), else the pseudonymous id. */
type Names = ReadonlyMap<string, string>;

function namesOf(events: readonly TimelineEventView[]): Names {
  const names = new Map<string, string>();
  for (const e of events) for (const p of e.participants) if (p.displayName !== undefined) names.set(p.participantId, p.displayName);
  return names;
}

const person = (names: Names, participantId: string): string => names.get(participantId) ?? participantId;

// ——— lanes (SVG) ———

const WIDTH = 1000;
const GUTTER = 170;
const RIGHT = 12;
const AXIS_HEIGHT = 26;
const LANE_HEIGHT = 62;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const scale = (range: TimeRange) => (iso: string): number => {
  const t = Math.min(Math.max(Date.parse(iso), range.start), range.end);
  return GUTTER + ((t - range.start) / (range.end - range.start)) * (WIDTH - GUTTER - RIGHT);
};

const num = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Month ticks, every 1, 2, 3, 6, 12, 24 … months so that there are at most about twelve. */
export function axisTicks(range: TimeRange): Array<{ at: string; label: string }> {
  const first = new Date(range.start);
  const months = (range.end - range.start) / (30.44 * 86_400_000);
  const step = [1, 2, 3, 6, 12, 24, 60, 120].find((s) => months / s <= 12) ?? 240;
  const ticks: Array<{ at: string; label: string }> = [];
  let year = first.getUTCFullYear();
  let month = first.getUTCMonth() + 1; // the first boundary after the start
  for (;;) {
    if (month > 11) {
      year += Math.floor(month / 12);
      month %= 12;
    }
    const t = Date.UTC(year, month, 1);
    if (t > range.end) break;
    if ((year * 12 + month) % step === 0) ticks.push({ at: new Date(t).toISOString(), label: step >= 12 ? String(year) : `${MONTHS[month]} ${year}` });
    month += 1;
  }
  return ticks;
}

function spanTitle(span: PhaseSpan): string {
  const until = span.end === null ? 'ongoing' : day(span.end);
  const entered = span.enteredBy?.direction === 'backward' || span.enteredBy?.direction === 'skip' ? ` — ${span.enteredBy.direction}: ${span.enteredBy.reason ?? 'no reason given'}` : '';
  return `${phaseLabel(span.phase)}${span.occurrence ? ` (occurrence ${span.occurrence})` : ''}: ${day(span.start)} – ${until}; at the table: ${list(span.roles)}; ${list(span.organizationTypes)}${entered}`;
}

function renderSpan(span: PhaseSpan, x: (iso: string) => number, y: number, now: string): SafeHtml {
  const x0 = x(span.start);
  const x1 = Math.max(x(span.end ?? now), x0 + 3);
  const label = phaseLabel(span.phase);
  const fits = x1 - x0 >= label.length * 6.3 + 8;
  const dark = DARK_PHASES.has(span.phase) ? ' ph-dark' : '';
  return html`<g class="span ph-${span.phase}${dark}" data-phase="${span.phase}"><title>${spanTitle(span)}</title><rect x="${num(x0)}" y="${y + 6}" width="${num(x1 - x0)}" height="26" rx="3"></rect>${
    fits ? html`<text x="${num(x0 + 4)}" y="${y + 23}">${label}</text>` : ''
  }</g>`;
}

function renderMark(mark: EventMark, x: (iso: string) => number, y: number): SafeHtml {
  const at = num(x(mark.at));
  const transition = mark.kind !== 'event';
  const line = html`<line x1="${at}" x2="${at}" y1="${transition ? y + 2 : y + 38}" y2="${y + 56}"></line>`;
  const title = html`<title>${day(mark.at)} · #${mark.position} · ${mark.type}: ${mark.summary}</title>`;
  // Transitions link to their row in the event table (a plain anchor: no script needed).
  return transition
    ? html`<a class="mark ${mark.kind}" href="#event-${mark.position}">${title}${line}</a>`
    : html`<g class="mark ${mark.kind}">${title}${line}</g>`;
}

function renderLanes(model: TimelinePageModel): SafeHtml {
  const x = scale(model.range);
  const issued = model.reminders.issued;
  const rows = model.lanes.length + (issued.length > 0 ? 1 : 0);
  const height = AXIS_HEIGHT + rows * LANE_HEIGHT + 4;
  const ticks = axisTicks(model.range).map(
    (t) => html`<line x1="${num(x(t.at))}" x2="${num(x(t.at))}" y1="${AXIS_HEIGHT - 6}" y2="${height}"></line><text x="${num(x(t.at) + 3)}" y="14">${t.label}</text>`,
  );
  const lanes = model.lanes.map((lane, i) => {
    const y = AXIS_HEIGHT + i * LANE_HEIGHT;
    const name = laneLabel(lane);
    const shown = name.length > 24 ? `${name.slice(0, 23)}…` : name;
    return html`<g class="lane" data-workstream="${lane.workstreamId ?? ''}"><rect class="lane-bg" x="0" y="${y + 2}" width="${WIDTH}" height="${LANE_HEIGHT - 4}"></rect><text class="lane-label" x="8" y="${y + 24}"><title>${name}</title>${shown}</text><text x="8" y="${y + 42}">${lane.marks.length} event${lane.marks.length === 1 ? '' : 's'}</text>${lane.spans.map((s) => renderSpan(s, x, y, model.now))}${lane.marks.map((m) => renderMark(m, x, y))}</g>`;
  });
  const reminderY = AXIS_HEIGHT + model.lanes.length * LANE_HEIGHT;
  const reminders =
    issued.length === 0
      ? ''
      : html`<g class="lane reminders"><rect class="lane-bg" x="0" y="${reminderY + 2}" width="${WIDTH}" height="${LANE_HEIGHT - 4}"></rect><text class="lane-label" x="8" y="${reminderY + 24}">Reminders issued</text>${issued.map(
          (r) =>
            html`<g class="reminder"><title>${r.policy} ${r.title}: due ${day(r.dueAt)}, issued ${day(r.issuedAt)} to ${list(r.recipientRoles)}</title><circle cx="${num(x(r.dueAt || r.issuedAt))}" cy="${reminderY + 30}" r="5"></circle></g>`,
        )}</g>`;
  const nowX = num(x(model.now));
  return html`<svg class="lanes" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="lanes-title lanes-desc" xmlns="http://www.w3.org/2000/svg"><title id="lanes-title">Workstream lanes of ${model.timeline.name}</title><desc id="lanes-desc">One lane per workstream along occurred time: its phases as coloured spans, its events as marks (backward moves in red, skips in amber). The same facts are listed below.</desc><g class="axis">${ticks}</g><g class="now"><title>Now: ${minute(model.now)}</title><line x1="${nowX}" x2="${nowX}" y1="${AXIS_HEIGHT - 6}" y2="${height}"></line></g>${lanes}${reminders}</svg>`;
}

function renderLegend(): SafeHtml {
  return html`<ul class="legend" aria-label="Phase colours">${(Object.keys(PHASE_LABELS) as Phase[]).map(
    (p) => html`<li><span class="sw ph-${p}" aria-hidden="true"></span>${PHASE_LABELS[p]}</li>`,
  )}<li><span aria-hidden="true">│</span> event</li><li><span class="status-broken" aria-hidden="true">┃</span> backward move</li></ul>`;
}

function renderPhaseLists(lanes: readonly Lane[]): SafeHtml {
  return html`${lanes
    .filter((l) => l.spans.length > 0)
    .map(
      (lane) => html`<h3>${laneLabel(lane)}</h3><ol class="phase-list" data-workstream="${lane.workstreamId ?? ''}">${lane.spans.map(
        (s) => html`<li data-phase="${s.phase}"><strong class="phase-label">${phaseLabel(s.phase)}</strong>${s.occurrence ? html` <span class="note">(occurrence ${s.occurrence})</span>` : ''} · ${day(s.start)} – ${
          s.end === null ? 'ongoing' : day(s.end)
        } · ${s.events} event${s.events === 1 ? '' : 's'} · at the table: ${list(s.roles)}; ${list(s.organizationTypes)}${
          s.enteredBy && (s.enteredBy.direction === 'backward' || s.enteredBy.direction === 'skip')
            ? html` · <a href="#event-${s.enteredBy.position}">${s.enteredBy.direction === 'backward' ? 'moved back' : 'skipped here'}</a>: <span class="reason">${s.enteredBy.reason ?? 'no reason given'}</span>`
            : ''
        }</li>`,
      )}</ol>`,
    )}`;
}

// ——— sections ———

function renderVerification(model: TimelinePageModel): SafeHtml {
  const v = model.verification;
  return html`<section id="verification" class="verification ${v.valid ? 'valid' : 'broken'}" aria-labelledby="verification-h"><h2 id="verification-h">Verified chain</h2><p>Hash chain: <span class="${
    v.valid ? 'status-valid' : 'status-broken'
  }" data-verification="${v.valid ? 'valid' : 'broken'}">${v.valid ? 'valid' : 'BROKEN'}</span> · <span data-checked-events="${v.checkedEvents}">${v.checkedEvents} event${v.checkedEvents === 1 ? '' : 's'} checked</span> · head hash <code class="head-hash">${v.headHash}</code>${
    v.valid ? '' : html` · first invalid revision <strong>${v.firstInvalidRevision ?? '?'}</strong>: ${v.reason ?? ''}`
  }</p><p class="note">Recomputed from the event log when this page was rendered, as <a href="verify" rel="nofollow">GET /partnerships/${model.timeline.partnershipId}/verify</a> does (JSON). The lanes and tables come from read models, which may lag the log by a moment.</p></section>`;
}

function renderTransitions(model: TimelinePageModel): SafeHtml {
  const rows = [...model.timeline.backwardTransitions, ...model.timeline.skips].sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  if (rows.length === 0) return html`<section id="transitions" aria-labelledby="transitions-h"><h2 id="transitions-h">Backward moves and skips</h2><p>None: every phase change moved forward.</p></section>`;
  return html`<section id="transitions" aria-labelledby="transitions-h"><h2 id="transitions-h">Backward moves and skips</h2><table><caption>Every move that did not go forward, with the reason given</caption><thead><tr><th scope="col">Occurred</th><th scope="col">Workstream</th><th scope="col">Move</th><th scope="col">Reason</th><th scope="col">Event</th></tr></thead><tbody>${rows.map(
    (t) =>
      html`<tr class="${t.direction}"><td>${day(t.occurredAt)}</td><td>${t.workstreamId ?? '—'}</td><td>${t.direction === 'backward' ? 'back' : 'skip'}: ${phaseLabel(t.fromPhase)} → ${phaseLabel(t.toPhase)}</td><td class="reason">${t.reason ?? 'no reason given'}</td><td><a href="#event-${t.position}">#${t.position}</a></td></tr>`,
  )}</tbody></table></section>`;
}

function renderReminders(model: TimelinePageModel): SafeHtml {
  const r = model.reminders;
  const issued =
    r.issued.length === 0
      ? html`<p>No reminder has been issued.</p>`
      : html`<table class="reminders-issued"><caption>Reminders issued, newest first${r.issuedTruncated ? ` (the newest ${r.issued.length})` : ''}</caption><thead><tr><th scope="col">Issued</th><th scope="col">Due</th><th scope="col">Policy</th><th scope="col">Workstream</th><th scope="col">To</th></tr></thead><tbody>${r.issued.map(
          (i) =>
            html`<tr data-policy="${i.policy}"><td>${minute(i.issuedAt)}</td><td>${day(i.dueAt)}</td><td><strong>${i.policy}</strong> ${i.title}${i.escalation > 0 ? ` (escalation ${i.escalation})` : ''}</td><td>${i.workstreamId ?? '—'}</td><td>${list(i.recipientRoles)}</td></tr>`,
        )}</tbody></table>`;
  const scheduled =
    r.scheduled.length === 0
      ? html`<p>Nothing is scheduled.</p>`
      : html`<table class="reminders-scheduled"><caption>Reminders scheduled${r.pausedSince ? ` (paused since ${day(r.pausedSince)}: clocks frozen)` : ''}</caption><thead><tr><th scope="col">Due</th><th scope="col">Policy</th><th scope="col">Workstream</th><th scope="col">To</th></tr></thead><tbody>${r.scheduled.map(
          (s) =>
            html`<tr data-policy="${s.policy}"><td>${s.status === 'frozen' ? `frozen, ${Math.ceil((s.remainingMs ?? 0) / 86_400_000)} day(s) left` : day(s.dueAt)}</td><td><strong>${s.policy}</strong> ${s.title}</td><td>${s.workstreamId ?? '—'}</td><td>${list(s.recipientRoles)}</td></tr>`,
        )}</tbody></table>`;
  return html`<section id="reminders" aria-labelledby="reminders-h"><h2 id="reminders-h">Reminders</h2>${issued}${scheduled}<p class="note">As <a href="reminders" rel="nofollow">GET /partnerships/${model.timeline.partnershipId}/reminders</a> lists them${
    r.timeScale !== 1 ? ` (time scale ${r.timeScale})` : ''
  }.</p></section>`;
}

function renderPeople(event: TimelineEventView, names: Names): SafeHtml {
  const r = event.recorder;
  const recorder = r.participantId
    ? html`<li class="recorder">recorded by <strong>${person(names, r.participantId)}</strong> (${list(r.roles)}; ${r.organizationType ? words(r.organizationType) : 'no organization'})</li>`
    : html`<li class="recorder">recorded with API key <span class="mono">${r.apiKeyId ?? 'unknown'}</span>${r.organizationType ? ` (${words(r.organizationType)})` : ''}</li>`;
  const participants = event.participants.map((p: TimelineParticipantView) => html`<li><strong>${p.displayName ?? p.participantId}</strong> (${list(p.roles)}; ${p.organizationType ? words(p.organizationType) : 'no organization'}) — ${list(p.as)}</li>`);
  const organizations = event.organizations.map((o) => html`<li><span class="mono">${o.organizationId}</span> (${o.organizationType ? words(o.organizationType) : '?'}${o.side ? `, ${o.side}` : ''}) — ${list(o.as)}</li>`);
  return html`<ul>${participants}${organizations}${recorder}</ul>`;
}

function renderEvents(model: TimelinePageModel, names: Names): SafeHtml {
  const events = model.events;
  const range = events.length === 0 ? '' : ` (positions ${events[0]!.position}–${events[events.length - 1]!.position})`;
  return html`<section id="events" aria-labelledby="events-h"><h2 id="events-h">Events</h2><table class="events"><caption>Every event in recorded order${range}; back-dated facts also show when they were recorded</caption><colgroup><col class="c-pos"><col class="c-when"><col class="c-ws"><col class="c-event"><col class="c-who"><col class="c-signals"></colgroup><thead><tr><th scope="col">#</th><th scope="col">Occurred</th><th scope="col">Workstream · phase</th><th scope="col">Event</th><th scope="col">Who was at the table</th><th scope="col">Signals</th></tr></thead><tbody>${events.map(
    (e) =>
      html`<tr id="event-${e.position}" class="${e.transition?.direction ?? ''}"><td>${e.position}</td><td>${day(e.occurredAt)}${e.backDated ? html`<br><span class="note">recorded ${day(e.recordedAt)}</span>` : ''}</td><td>${e.workstreamId ?? '—'}${e.phase ? html`<br>${phaseLabel(e.phase)}` : ''}</td><td><strong>${e.type}</strong><br>${e.summary}${
        e.transition ? html`<br>${phaseLabel(e.transition.fromPhase)} → ${phaseLabel(e.transition.toPhase)}${e.transition.reason ? html`: <span class="reason">${e.transition.reason}</span>` : ''}` : ''
      }${e.corrects ? html`<br><span class="note">corrects ${e.corrects}</span>` : ''}${e.correctedBy.length > 0 ? html`<br><span class="note">corrected by ${e.correctedBy.join(', ')}</span>` : ''}</td><td>${renderPeople(e, names)}</td><td>${
        e.signals.length === 0 ? '' : html`<ul>${e.signals.map((s) => html`<li>${s.title}</li>`)}</ul>`
      }</td></tr>`,
  )}</tbody></table></section>`;
}

function renderSignals(model: TimelinePageModel): SafeHtml {
  const raised = model.timeline.signals.raised;
  return html`<section id="signals" aria-labelledby="signals-h"><h2 id="signals-h">Signals raised</h2>${
    raised.length === 0 ? html`<p>None.</p>` : html`<ul>${raised.map((s) => html`<li>${s.title} <span class="note">(${s.code})</span>: ${s.count}</li>`)}</ul>`
  }</section>`;
}

function renderLedger(model: TimelinePageModel, names: Names): SafeHtml {
  const ledger = model.timeline.disclosureLedger;
  if (ledger.length === 0) return html`<section id="ledger" aria-labelledby="ledger-h"><h2 id="ledger-h">Data-disclosure ledger</h2><p>No data-sharing agreement.</p></section>`;
  return html`<section id="ledger" aria-labelledby="ledger-h"><h2 id="ledger-h">Data-disclosure ledger</h2><table><caption>Agreements, transfers, ends and disposals, oldest first</caption><thead><tr><th scope="col">On</th><th scope="col">What</th><th scope="col">Agreement</th><th scope="col">From → to</th><th scope="col">Basis and purpose</th><th scope="col">Data</th></tr></thead><tbody>${ledger.map(
    (l) =>
      html`<tr><td>${l.on}</td><td>${words(l.kind)}${l.transferId ? html`<br><span class="mono">${l.transferId}</span>` : ''}${l.endKind ? ` (${l.endKind})` : ''}${l.destructionDueBy ? html`<br>destroy by ${l.destructionDueBy}` : ''}${
        l.disposalMethod ? html`<br>${l.disposalMethod}${l.certifiedByParticipantId ? `, certified by ${person(names, l.certifiedByParticipantId)}` : ''}` : ''
      }</td><td class="mono">${l.dsaId}</td><td>${l.provider.name ?? l.provider.organizationId} → ${l.recipients.map((o) => o.name ?? o.organizationId).join(', ')}</td><td>${words(l.legalBasis)}<br>${l.purpose}</td><td>${list(l.dataCategories)}${l.piiIncluded ? ' (PII)' : ''}</td></tr>`,
  )}</tbody></table></section>`;
}

export function renderTimelinePage(model: TimelinePageModel): string {
  const t = model.timeline;
  const names = namesOf(model.events);
  return `<!DOCTYPE html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><meta name="referrer" content="no-referrer"><title>Timeline — ${t.name}</title><style>${new SafeHtml(
    TIMELINE_PAGE_CSS,
  )}</style></head><body><header><h1>${t.name}</h1><p class="meta">Partnership <span class="mono">${t.partnershipId}</span> · status <strong>${words(t.status)}</strong> · ${t.totalEvents} event${
    t.totalEvents === 1 ? '' : 's'
  } (read model as of position ${t.asOfPosition}) · rendered ${minute(model.now)}</p></header><main>${renderVerification(model)}${
    model.truncated
      ? html`<p class="notice" role="status" data-truncated="true">This page shows the first ${model.events.length} of ${t.totalEvents} events (it reads at most ${model.eventCap}); later events are not drawn. The JSON timeline pages through all of them.</p>`
      : ''
  }<section id="lanes" aria-labelledby="lanes-h"><h2 id="lanes-h">Workstreams and phases</h2><p class="note">Along the time each fact occurred (UTC), up to now.</p>${renderLegend()}${renderLanes(model)}${renderPhaseLists(model.lanes)}</section>${renderTransitions(model)}${renderReminders(model)}${renderEvents(model, names)}${renderSignals(model)}${renderLedger(model, names)}</main><footer><p>Participants appear by name only where the people vault holds one (or as “erased participant”); otherwise by pseudonymous id. Served by Trellis without any script.</p></footer></body></html>`}\n`;
}

export interface ErrorPageProblem {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly code: string;
  readonly correlationId?: string;
}

/** The HTML face of a problem document, for a client that asked for the page. */
export function renderErrorPage(problem: ErrorPageProblem): string {
  return `<!DOCTYPE html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${problem.status} ${problem.title}</title><style>${new SafeHtml(
    TIMELINE_PAGE_CSS,
  )}</style></head><body><main><h1>${problem.status} ${problem.title}</h1>${problem.detail ? html`<p>${problem.detail}</p>` : ''}<p class="meta">Code <code data-code="${problem.code}">${problem.code}</code>${
    problem.correlationId ? html` · correlation id <code>${problem.correlationId}</code>` : ''
  }</p></main></body></html>`}\n`;
}
