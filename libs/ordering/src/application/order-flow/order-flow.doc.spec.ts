import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ORDER_STEPS, StepDefinition } from '../../domain/order-flow.definition';
import { renderOrderFlowDoc, withGeneratedOrderFlow } from './order-flow.doc';

describe('docs/patterns/order-flow.md', () => {
  it('carries the table and diagram generated from the current definition (npm run docs:order-flow)', () => {
    const page = readFileSync(resolve(__dirname, '../../../../../docs/patterns/order-flow.md'), 'utf8');
    expect(withGeneratedOrderFlow(page)).toBe(page);
  });

  it('shows every step, its command and its compensation', () => {
    const doc = renderOrderFlowDoc();
    for (const step of ORDER_STEPS as readonly StepDefinition[]) {
      expect(doc).toContain(`\`${step.name}\``);
      expect(doc).toContain(step.command.type);
      if (step.compensation) expect(doc).toContain(`${step.compensation.name}<br/>${step.compensation.command.type}`);
    }
    expect(doc).toContain('RESERVED, COMMITTED → `StockReserved`; REJECTED, RELEASED → `StockReservationFailed`');
    expect(doc).toContain('PENDING → asked again');
  });
});
