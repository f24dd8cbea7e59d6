import { createServer, Server } from 'node:http';

/** A local OTLP/HTTP receiver standing in for a collector: accepts trace exports, counts spans, keeps nothing. */
export interface OtlpStandIn {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans(): number;
  close(): Promise<void>;
}

interface ExportRequest {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

/** Starts the stand-in on a loopback port. */
export async function startOtlpStandIn(): Promise<OtlpStandIn> {
  let spans = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
        for (const r of body.resourceSpans ?? []) for (const s of r.scopeSpans ?? []) spans += s.spans?.length ?? 0;
      } catch {
        // not JSON (a protobuf exporter): accepted, not counted
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans: () => spans, close: () => new Promise((ok) => server.close(() => ok())) };
}
