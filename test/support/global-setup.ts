import { assertPostgresAnswers } from './postgres';

/** Checks the services the suites need before any test runs, so a missing one fails with its name. */
export default async function globalSetup(): Promise<void> {
  await assertPostgresAnswers();
}
