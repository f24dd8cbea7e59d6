import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StatementNames } from './auto-prepare';
import { ContextDatabase } from './context-database';
import { DatabaseTarget, EmbeddedPostgres } from './embedded-postgres';

/** A context's live DataSource. */
export interface RegisteredDataSource {
  definition: ContextDatabase;
  dataSource: DataSource;
}

/** Owns every DataSource of the process and the embedded server, and closes them in order. */
@Injectable()
export class DatabaseRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseRegistry.name);
  private readonly sources: RegisteredDataSource[] = [];
  private embedded?: Promise<EmbeddedPostgres>;
  private names?: StatementNames;

  register(source: RegisteredDataSource): void {
    this.sources.push(source);
  }

  all(): readonly RegisteredDataSource[] {
    return this.sources;
  }

  /** The process's statement names (ADR 31), shared by its contexts' pools; `max` from the first caller. */
  statementNames(max: number): StatementNames {
    return (this.names ??= new StatementNames(max));
  }

  /** Starts the embedded server once, however many contexts ask. */
  embeddedTarget(dataDir: string): Promise<DatabaseTarget> {
    this.embedded ??= EmbeddedPostgres.start(dataDir);
    return this.embedded.then((e) => e.target());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.dataSource.destroy().catch((err: unknown) => this.logger.error({ msg: 'closing DataSource failed', err }))));
    this.sources.length = 0;
    if (this.embedded) await (await this.embedded).stop();
    this.embedded = undefined;
  }
}
