import { FAILURE_CLASSES, FailureClass, OrderFlowDefinition as flow, StepDefinition, StepReply } from '../../domain/order-flow.definition';

/** The markers around the generated part of docs/patterns/order-flow.md. */
export const GENERATED_BEGIN = '<!-- BEGIN GENERATED: npm run docs:order-flow -->';
export const GENERATED_END = '<!-- END GENERATED -->';

const id = (name: string) => name.replace(/-/g, '_');

/** A markdown table laid out the way prettier lays it out, so the generated page passes `prettier --check`. */
function table(header: string[], rows: string[][]): string[] {
  const width = (text: string) => [...text].length;
  const widths = header.map((h, c) => Math.max(3, width(h), ...rows.map((r) => width(r[c]))));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell + ' '.repeat(widths[c] - width(cell))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** Each status the owner can reply with, read through the step's reply mapping (the reply schema's `status` enum). */
function replies(step: StepDefinition): string {
  const shape = (step.command.resultSchema as unknown as { shape?: { status?: { options?: string[] } } }).shape;
  const statuses = shape?.status?.options ?? [];
  const by: Record<StepReply['outcome'], string[]> = { succeeded: [], rejected: [], retry: [] };
  for (const status of statuses) by[step.reply({ orderId: '', status } as never).outcome].push(status);
  const parts = [`${by.succeeded.join(', ')} → \`${step.succeeded}\``];
  if (by.rejected.length) parts.push(`${by.rejected.join(', ')} → \`${step.rejected}\``);
  if (by.retry.length) parts.push(`${by.retry.join(', ')} → asked again`);
  return parts.join('; ');
}

function retry(step: StepDefinition): string {
  const { transient, backoff, errorAnswers } = step.retry;
  const until = transient === 'until-deadline' ? 'until the deadline' : 'until it succeeds';
  return `timeouts ${until}; backoff \`${backoff.first}\` ×2 ≤ ${backoff.maxMs / 1000} s; parked after \`${errorAnswers}\` error answers`;
}

function stepsTable(): string[] {
  const rows = flow.steps.map((s, i) => {
    const pivot = s.name === flow.pivot ? ' **(pivot)**' : '';
    const compensation = s.compensation ? `\`${s.compensation.name}\` (\`${s.compensation.command.type}\`) → \`${s.compensation.done}\`` : '—';
    const deadline = s.deadline === 'step-timeout' ? '`ORDER_STEP_TIMEOUT_MS`' : 'none';
    return [String(i + 1), `\`${s.name}\`${pivot}`, s.owner, `\`${s.command.type}\``, replies(s), compensation, deadline, retry(s)];
  });
  return table(['#', 'step', 'owner', 'command', 'reply → outcome', 'compensation', 'deadline', 'retries'], rows);
}

function failuresTable(): string[] {
  const meaning: Record<FailureClass, string> = {
    transient:
      'says nothing about the step: asked again after a backoff (before the pivot until the deadline, then `StepTimedOut`; past it and for compensations until it answers)',
    'error-answer': 'asked again, at most `ORDER_COMPENSATION_ATTEMPTS` answers in all; then the order is parked',
    permanent: 'the order is parked at once: `StepParked` → `PARKED` (a compensation: `CompensationFailed` → `COMPENSATION_FAILED`)',
  };
  const kinds = (c: FailureClass) =>
    Object.entries(FAILURE_CLASSES)
      .filter(([, v]) => v === c)
      .map(([k]) => `\`${k}\``)
      .join(', ');
  return table(
    ['error kinds', 'class', 'what the flow does'],
    [
      ...(['transient', 'error-answer', 'permanent'] as const).map((c) => [kinds(c), c, meaning[c]]),
      ['a reply mapped to a rejection', 'outcome', 'recorded (`…Failed`) and compensated'],
    ],
  );
}

function diagram(): string[] {
  const steps = flow.steps;
  const lines = ['```mermaid', 'flowchart TD', '  placed([OrderPlaced]) --> ' + id(steps[0].name)];
  // Undoing starts at the last step that may have happened; each compensation hands over to the one before it.
  const compensationFrom = (index: number): string => {
    for (let j = index; j >= 0; j--) if (steps[j].compensation) return id(steps[j].compensation!.name);
    return 'rejected';
  };
  for (const [i, s] of steps.entries()) {
    lines.push(`  ${id(s.name)}[${s.name}<br/>${s.command.type}]`);
    lines.push(`  ${id(s.name)} -- ${s.succeeded} --> ${i + 1 < steps.length ? id(steps[i + 1].name) : 'confirmed([OrderConfirmed])'}`);
    if (s.rejected) lines.push(`  ${id(s.name)} -- ${s.rejected} --> ${compensationFrom(i - 1)}`);
    if (s.deadline === 'step-timeout') lines.push(`  ${id(s.name)} -- StepTimedOut --> ${compensationFrom(i)}`);
    lines.push(`  ${id(s.name)} -. StepParked .-> parked([PARKED])`);
  }
  for (const [i, s] of steps.entries()) {
    if (!s.compensation) continue;
    lines.push(`  ${id(s.compensation.name)}{{${s.compensation.name}<br/>${s.compensation.command.type}}}`);
    lines.push(`  ${id(s.compensation.name)} -- ${s.compensation.done} --> ${compensationFrom(i - 1)}`);
    lines.push(`  ${id(s.compensation.name)} -. CompensationFailed .-> failed([COMPENSATION_FAILED])`);
  }
  lines.push('  rejected([OrderRejected / OrderCancelled])', '```');
  return lines;
}

/** The generated part of the docs page: the definition as tables and a diagram. */
export function renderOrderFlowDoc(): string {
  return [
    GENERATED_BEGIN,
    '',
    `The steps, in order (\`ORDER_STEPS\` in \`libs/ordering/src/domain/order-flow.definition.ts\`). The pivot is \`${flow.pivot}\`: up to it a step has a deadline and is undone when the order fails or is cancelled; after it the order completes.`,
    '',
    ...stepsTable(),
    '',
    'When the owner answers with an error instead of a reply (`FAILURE_CLASSES`):',
    '',
    ...failuresTable(),
    '',
    'A customer may cancel until the pivot succeeded (`CancellationRequested`): what may have happened is undone as after a failure, ending in `OrderCancelled`.',
    '',
    ...diagram(),
    '',
    GENERATED_END,
  ].join('\n');
}

/** Replaces the generated part of a docs page's text with the current rendering. */
export function withGeneratedOrderFlow(page: string): string {
  const begin = page.indexOf(GENERATED_BEGIN);
  const end = page.indexOf(GENERATED_END);
  if (begin < 0 || end < begin) throw new Error(`the page has no "${GENERATED_BEGIN}" … "${GENERATED_END}" section`);
  return page.slice(0, begin) + renderOrderFlowDoc() + page.slice(end + GENERATED_END.length);
}
