import type { OrderView } from '@commerce/contracts';
import type { DeadLetterSummary } from '@commerce/messaging';
import { Html, html, layout } from './html';
import { Timeline, timelineOf } from './order-timeline';

/** Everything the overview shows; each part may be missing when its owner did not answer. */
export interface Overview {
  counts: { status: string; total: number | undefined }[];
  /** Compensation failed first, then orders not final and idle for too long. */
  attention: OrderView[];
  recent: OrderView[];
  deadLetters: { service: string; letters: DeadLetterSummary[] | undefined }[];
  breakers: Record<string, string>;
  outboxes: { service: string; backlog: Record<string, { pending: number; oldestSeconds: number }> | undefined }[];
}

const STATUS_CLASS: Record<string, string> = { COMPENSATION_FAILED: 'bad', PARKED: 'bad', REJECTED: 'warn', CANCELLED: 'warn', CONFIRMED: 'good' };
const status = (s: string) => html`<span class="badge ${STATUS_CLASS[s] ?? ''}">${s}</span>`;
const unknown = html`<span class="badge bad">no answer</span>`;

function orderRows(orders: OrderView[]): Html {
  if (orders.length === 0) return html`<p>None.</p>`;
  return html`<table>
    <tr>
      <th>Order</th>
      <th>Status</th>
      <th>Updated</th>
      <th>Reason</th>
    </tr>
    ${orders.map(
      (o) =>
        html`<tr>
          <td><a href="/ops/orders/${o.id}">${o.id}</a></td>
          <td>${status(o.status)}</td>
          <td>${o.updatedAt}</td>
          <td>${o.reason ?? ''}</td>
        </tr>`,
    )}
  </table>`;
}

function deadLetterSection(deadLetters: Overview['deadLetters']): Html {
  return html`<section id="dead-letters">
    <h2>Dead letters</h2>
    ${deadLetters.map(
      ({ service, letters }) =>
        html`<h3>${service} ${letters ? html`<span class="badge">${letters.length}</span>` : unknown}</h3>
          ${
            letters && letters.length > 0
              ? html`<table>
                  <tr>
                    <th>Type</th>
                    <th>Handlers</th>
                    <th>Attempts</th>
                    <th>Error</th>
                    <th></th>
                  </tr>
                  ${letters.map(
                    (d) =>
                      html`<tr class="dead-letter" data-id="${d.id}">
                        <td>${d.type}</td>
                        <td>${d.handlers.join(', ')}</td>
                        <td>${d.attempts}</td>
                        <td><code>${d.error}</code></td>
                        <td>
                          <form class="inline" method="post" action="/ops/dead-letters/${service}/${d.id}/replay"><button type="submit">Replay</button></form>
                          <form class="inline" method="post" action="/ops/dead-letters/${service}/${d.id}/discard"><button type="submit">Discard</button></form>
                        </td>
                      </tr>`,
                  )}
                </table>`
              : ''
          }`,
    )}
  </section>`;
}

/** The operator's overview: orders by status, the ones needing attention, dead letters, breakers, outboxes. */
export function overviewPage(o: Overview, flash?: string): string {
  const breakers = Object.entries(o.breakers);
  return layout(
    'Overview',
    html`<section id="orders-by-status">
        <h2>Orders by status</h2>
        <table>
          <tr>
            ${o.counts.map((c) => html`<th>${status(c.status)}</th>`)}
          </tr>
          <tr>
            ${o.counts.map((c) => html`<td>${c.total ?? unknown}</td>`)}
          </tr>
        </table>
      </section>
      <section id="attention">
        <h2>Needs attention (compensation failed, then stuck)</h2>
        ${orderRows(o.attention)}
      </section>
      <section id="recent">
        <h2>Recent orders</h2>
        ${orderRows(o.recent)}
      </section>
      ${deadLetterSection(o.deadLetters)}
      <section id="breakers">
        <h2>Circuit breakers</h2>
        ${
          breakers.length
            ? html`<table>
                ${breakers.map(
                  ([target, state]) =>
                    html`<tr>
                      <td>${target}</td>
                      <td><span class="badge ${state === 'closed' ? 'good' : 'bad'}">${state}</span></td>
                    </tr>`,
                )}
              </table>`
            : html`<p>No calls made yet.</p>`
        }
      </section>
      <section id="outboxes">
        <h2>Outboxes</h2>
        <table>
          <tr>
            <th>Service</th>
            <th>Context</th>
            <th>Pending</th>
            <th>Oldest (s)</th>
          </tr>
          ${o.outboxes.map(({ service, backlog }) =>
            backlog
              ? Object.entries(backlog).map(
                  ([context, b]) =>
                    html`<tr>
                      <td>${service}</td>
                      <td>${context}</td>
                      <td>${b.pending}</td>
                      <td>${b.oldestSeconds.toFixed(1)}</td>
                    </tr>`,
                )
              : html`<tr>
                  <td>${service}</td>
                  <td colspan="3">${unknown}</td>
                </tr>`,
          )}
        </table>
      </section>`,
    flash,
  );
}

function bars(t: Timeline): Html {
  const span = t.endMs - t.startMs;
  const pct = (ms: number) => ((ms / span) * 100).toFixed(2);
  return html`<table class="timeline">
    ${t.bars.map(
      (b) =>
        html`<tr class="step-row" data-step="${b.step}" data-kind="${b.kind}" data-outcome="${b.outcome}">
          <td>${b.step}</td>
          <td style="width:60%">
            <div class="axis">
              <div
                class="bar ${b.kind} ${b.ok ? '' : 'failed'}"
                style="left:${pct(b.startMs - t.startMs)}%;width:${pct(b.endMs - b.startMs)}%"
                title="${b.outcome}"
              ></div>
            </div>
          </td>
          <td>${b.outcome}</td>
          <td>${b.endMs - b.startMs} ms</td>
        </tr>`,
    )}
  </table>`;
}

/** One order: its status, its steps as bars on a time axis, and a link to its trace. */
export function orderPage(order: OrderView, traceUrl: string, nowMs: number): string {
  const history = order.history ?? [];
  const traceId = history.find((h) => h.type === 'OrderPlaced')?.data.traceId;
  const timeline = timelineOf(history, nowMs);
  return layout(
    `Order ${order.id}`,
    html`<section>
        <h2>Order <code>${order.id}</code> ${status(order.status)}</h2>
        <p>${order.reason ?? ''}</p>
        <p>
          Trace:
          ${
            typeof traceId === 'string'
              ? traceUrl
                ? html`<a id="trace-link" href="${traceUrl.replace('{traceId}', traceId)}">${traceId}</a>`
                : html`<code id="trace-link">${traceId}</code>`
              : 'not traced (tracing was off when it was placed)'
          }
        </p>
      </section>
      <section id="timeline">
        <h2>Timeline (${timeline.endMs - timeline.startMs} ms)</h2>
        <p class="legend">
          <span class="badge" style="background:#3f7de8;color:#fff">step</span><span class="badge" style="background:#d64541;color:#fff">failed step</span
          ><span class="badge" style="background:#e08a1e;color:#fff">compensation</span
          ><span class="badge" style="background:#8e44ad;color:#fff">failed compensation</span>
        </p>
        ${timeline.bars.length ? bars(timeline) : html`<p>No steps yet.</p>`}
      </section>
      <section>
        <h2>History</h2>
        <table>
          ${history.map(
            (h) =>
              html`<tr>
                <td>${h.at}</td>
                <td>${h.type}</td>
                <td><code>${JSON.stringify(h.data)}</code></td>
              </tr>`,
          )}
        </table>
      </section>`,
  );
}

/** The sign-in form: the page keeps the access token in an HttpOnly, SameSite=Strict cookie. */
export function loginPage(error?: string): string {
  return layout(
    'Sign in',
    html`<section>
      <h2>Sign in</h2>
      ${error ? html`<p class="badge bad">${error}</p>` : ''}
      <form method="post" action="/ops/login">
        <p>
          <label>Email <input name="email" type="email" required /></label>
        </p>
        <p>
          <label>Password <input name="password" type="password" required /></label>
        </p>
        <button type="submit">Sign in</button>
      </form>
    </section>`,
  );
}
