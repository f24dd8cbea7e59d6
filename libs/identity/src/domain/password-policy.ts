import { PASSWORD_RULES } from '@commerce/contracts';

/** Why a password is refused (empty when it is acceptable). `isCommon` is the common-password list. */
export function passwordProblems(password: string, email: string, isCommon: (p: string) => boolean): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_RULES.min) problems.push(`password must have at least ${PASSWORD_RULES.min} characters`);
  if (password.length > PASSWORD_RULES.max) problems.push(`password must have at most ${PASSWORD_RULES.max} characters`);
  if (isCommon(password) || isCommon(password.toLowerCase())) problems.push('password is one of the most common passwords');
  const local = email.split('@')[0].toLowerCase();
  if (local.length >= 4 && password.toLowerCase().includes(local)) problems.push('password must not contain the email address');
  if (new Set(password).size < 4) problems.push('password must not repeat a few characters');
  return problems;
}
