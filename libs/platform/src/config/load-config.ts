import { z } from 'zod';
import { ConfigError } from './config.errors';

const SECRET_NAME = /(URL|SECRET|PASSWORD|TOKEN|KEY)$/;

/** Parses `env` with a zod object schema; a bad value throws one line that names the variable. */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const blankAsMissing = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(blankAsMissing);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '?');
    const raw = blankAsMissing[name];
    const shown = raw === undefined ? 'it is missing' : SECRET_NAME.test(name) ? 'value hidden' : `got "${raw}"`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** Zod helpers for environment strings. */
export const env = {
  int: (min: number, max: number) =>
    z
      .string()
      .regex(/^-?\d+$/, `expected an integer from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `expected an integer from ${min} to ${max}`).max(max, `expected an integer from ${min} to ${max}`)),
  bool: () =>
    z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: (protocols: string[]) =>
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `expected a ${protocols.join(' or ')} URL`,
    ),
  list: () =>
    z.string().transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
};
