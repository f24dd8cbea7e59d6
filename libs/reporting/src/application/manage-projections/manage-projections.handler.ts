import { Controller } from '@nestjs/common';
import { DomainError, GetProjectionStatus, PayloadOf, RebuildProjection, ResultOf, RetryProjection } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { ProjectionLoop, ProjectionRunner, UnknownProjectionError } from '@commerce/projections';

function known<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof UnknownProjectionError) throw new DomainError(error.code, 'not-found', error.message);
    throw error;
  });
}

/** Admin operations on the reporting projections: status and lag, rebuild, resume after a failure. */
@Controller()
export class ManageProjectionsHandler {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly loop: ProjectionLoop,
  ) {}

  @Handles(GetProjectionStatus)
  async status(): Promise<ResultOf<typeof GetProjectionStatus>> {
    return { projections: await this.runner.status() };
  }

  @Handles(RebuildProjection)
  async rebuild({ name }: PayloadOf<typeof RebuildProjection>): Promise<ResultOf<typeof RebuildProjection>> {
    const version = await known(() => this.runner.rebuild(name));
    this.loop.kick();
    return { name, version };
  }

  @Handles(RetryProjection)
  async retry({ name }: PayloadOf<typeof RetryProjection>): Promise<ResultOf<typeof RetryProjection>> {
    const resumed = await known(() => this.runner.retry(name));
    this.loop.kick();
    return { name, resumed };
  }
}
