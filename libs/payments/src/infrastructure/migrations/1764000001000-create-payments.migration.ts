import { MigrationInterface, QueryRunner } from 'typeorm';

/** Payments per order, and the simulated provider's own record of calls. */
export class CreatePayments1764000001000 implements MigrationInterface {
  name = 'CreatePayments1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments.payment (
        order_id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('PENDING', 'CAPTURED', 'DECLINED', 'REFUNDED', 'VOIDED')),
        amount bigint CHECK (amount >= 0),
        currency char(3),
        token text,
        email text,
        reason text,
        refunded_amount bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (refunded_amount <= COALESCE(amount, 0))
      )`);
    await q.query(`
      CREATE TABLE payments.sim_provider_call (
        idempotency_key text PRIMARY KEY,
        kind text NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        token text NOT NULL,
        outcome jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE TABLE payments.sim_provider_attempt (idempotency_key text PRIMARY KEY, attempts int NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payments.sim_provider_attempt, payments.sim_provider_call, payments.payment`);
  }
}
