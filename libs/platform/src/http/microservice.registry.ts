import { INestApplication, Injectable } from '@nestjs/common';

/**
 * Servers a module wants this app to run beside HTTP (Nest microservice options: the messaging
 * server, gRPC), registered while the module initialises; `startApp` connects and starts them.
 */
@Injectable()
export class MicroserviceRegistry {
  private readonly servers: object[] = [];

  add(options: object): void {
    this.servers.push(options);
  }

  all(): readonly object[] {
    return this.servers;
  }
}

/** Connects the registered servers to an initialised app (a hybrid app) and starts them. */
export async function startMicroservices(app: INestApplication): Promise<void> {
  const servers = app.get(MicroserviceRegistry, { strict: false }).all();
  if (servers.length === 0) return;
  for (const options of servers) app.connectMicroservice(options);
  await app.startAllMicroservices();
}

/**
 * Starts an app the way every `main.ts` does, short of HTTP's listen: init (modules initialised,
 * migrations run, controllers' message patterns known), then its servers (the messaging server
 * starts consuming and the outbox relay shipping; gRPC). Test harnesses start apps with it too.
 */
export async function startApp(app: INestApplication): Promise<void> {
  await app.init();
  await startMicroservices(app);
}
