/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A tagged template whose interpolations are escaped unless they are already-rendered `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Builds HTML safely: every `${value}` is escaped, nested `html` fragments and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const part = (v: unknown): string => (v instanceof Html ? v.text : Array.isArray(v) ? v.map(part).join('') : escapeHtml(v));
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:center}
header a{color:#cfe0ff}main{padding:16px 20px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px 16px;margin-bottom:16px}
h1{font-size:18px;margin:0}h2{font-size:15px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}
.badge{display:inline-block;padding:1px 6px;border-radius:9px;background:#e8ebf0;font-size:12px}
.bad{background:#fde2e1;color:#8a1c1c}.warn{background:#fff1d6;color:#7a4b00}.good{background:#dcf5e3;color:#17603a}
.axis{position:relative;height:22px;background:#f1f3f6;border-radius:3px}
.bar{position:absolute;top:3px;height:16px;border-radius:3px;min-width:3px}
.bar.step{background:#3f7de8}.bar.step.failed{background:#d64541}.bar.compensation{background:#e08a1e}.bar.compensation.failed{background:#8e44ad}
.legend span{margin-right:12px}.flash{padding:8px 12px;background:#dcf5e3;border-radius:4px;margin-bottom:12px}
form.inline{display:inline}button{cursor:pointer}code{font-size:12px}
`;

/** The page frame: title, navigation and the shared stylesheet (inline: no build, no extra request). */
export function layout(title: string, body: Html, flash?: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="icon" href="data:," />
        <title>${title} · commerce-kit operations</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>commerce-kit operations</h1>
          <a href="/ops">Overview</a>
          <form class="inline" method="post" action="/ops/logout"><button type="submit">Log out</button></form>
        </header>
        <main>${flash ? html`<div class="flash" role="status">${flash}</div>` : ''}${body}</main>
      </body>
    </html>`.text;
}
