import { Logger } from '@nestjs/common';

// Tests provoke errors on purpose; their logs are noise unless TEST_LOGS=1 asks for them.
if (process.env.TEST_LOGS !== '1') Logger.overrideLogger(false);
