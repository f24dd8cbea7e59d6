import { INestApplication, Injectable } from '@nestjs/common';

/**
 * Servers a module wants this app to run beside HTTP (Nest microservice options, such as gRPC),
 * registered while the module initialises; `runHttpApp` connects and starts them before listening.
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
