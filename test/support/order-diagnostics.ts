import { Client } from 'pg';

interface EventRow {
  order_id: string;
  version: number | null;
  type: string;
  data: Record<string, unknown>;
  recorded_at: Date;
}

/**
 * The recorded history of some orders as text, each event with its offset from the order's first
 * event, interleaved with what the owners recorded (the catalog's reservation, the provider's
 * calls): what a failing order-flow test prints so the failure can be diagnosed from the log alone.
 * Tests share one database across schemas, so reading them together is fine here (never in code).
 */
export async function describeOrders(pg: Client, orderIds: string[], limit = 10): Promise<string> {
  const ids = orderIds.slice(0, limit);
  if (ids.length === 0) return '(no orders to describe)';
  const rows = (
    await pg.query(
      `SELECT order_id, version, type, data, recorded_at FROM ordering.order_event WHERE order_id = ANY($1::uuid[])
       UNION ALL
       SELECT order_id, NULL, '[catalog] reservation ' || status, '{}'::jsonb, updated_at FROM catalog.reservation WHERE order_id = ANY($1::uuid[])
       UNION ALL
       SELECT substring(idempotency_key from 8)::uuid, NULL, '[provider] ' || kind, outcome, created_at
         FROM payments.sim_provider_call WHERE idempotency_key = ANY(SELECT k || ':' || id::text FROM unnest($1::uuid[]) id, unnest(ARRAY['charge', 'refund']) k)
       ORDER BY 1, 5, 2`,
      [ids],
    )
  ).rows as EventRow[];
  const lines: string[] = [];
  let first: { id: string; at: number } | undefined;
  for (const row of rows) {
    const at = new Date(row.recorded_at).getTime();
    if (first?.id !== row.order_id) {
      first = { id: row.order_id, at };
      lines.push(`order ${row.order_id} (first event at ${new Date(at).toISOString()}):`);
    }
    const data = Object.keys(row.data ?? {}).length && row.type !== 'OrderPlaced' ? ` ${JSON.stringify(row.data)}` : '';
    lines.push(`  +${String(at - first.at).padStart(6)} ms  ${row.version === null ? '  ' : `v${row.version}`} ${row.type}${data}`);
  }
  const more = orderIds.length > ids.length ? `\n(${orderIds.length - ids.length} more orders not shown)` : '';
  return lines.join('\n') + more;
}

/** Runs `assertions`; when they fail, the error carries `diagnose()`'s text as well. */
export async function withDiagnostics(diagnose: () => Promise<string>, assertions: () => Promise<void> | void): Promise<void> {
  try {
    await assertions();
  } catch (error) {
    const text = await diagnose().catch((e: unknown) => `(diagnostics failed: ${String(e)})`);
    if (error instanceof Error) {
      error.message = `${error.message}\n\nDiagnostics:\n${text}`;
      throw error;
    }
    throw new Error(`${String(error)}\n\nDiagnostics:\n${text}`);
  }
}
