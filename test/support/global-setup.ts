import { assertPostgresAnswers } from './postgres';
import { assertRabbitAnswers } from './rabbitmq';

/** Checks the services the suites need before any test runs, so a missing one fails with its name. */
export default async function globalSetup(): Promise<void> {
  await assertPostgresAnswers();
  await assertRabbitAnswers();
}
