import { z } from 'zod';
import { defineCommand, defineEvent, defineQuery } from '../common/contract';

/** Rules every password must meet (the common-password check runs in identity). */
export const PASSWORD_RULES = { min: 12, max: 128 } as const;

const email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
const password = z.string().min(1).max(PASSWORD_RULES.max);

/** Roles a user can have. */
export const roleSchema = z.enum(['customer', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** What a user chose for notifications and language. */
export const preferencesSchema = z.strictObject({
  channels: z.array(z.enum(['email', 'sms', 'push'])).max(3),
  locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'expected a locale such as en or de-DE'),
});

/** A user as other contexts and the API see it. */
export const profileSchema = z.object({
  id: z.uuid(),
  email: z.email(),
  name: z.string(),
  role: roleSchema,
  preferences: preferencesSchema,
  createdAt: z.iso.datetime(),
});
export type Profile = z.infer<typeof profileSchema>;

/** An access token (short-lived JWT) and a refresh token (opaque, rotated on use). */
export const sessionSchema = z.object({ tokenType: z.literal('Bearer'), accessToken: z.string(), expiresIn: z.number().int(), refreshToken: z.string() });
export type Session = z.infer<typeof sessionSchema>;

/** Creates a customer account. */
export const RegisterUser = defineCommand(
  'identity.register-user.v1',
  z.strictObject({ email, password, name: z.string().trim().min(1).max(200) }),
  profileSchema,
);

/** Exchanges credentials for a session; unknown email and wrong password fail the same way. */
export const LogIn = defineCommand('identity.log-in.v1', z.strictObject({ email, password }), sessionSchema);

/** Exchanges a refresh token for a new session; a token used twice revokes its whole family. */
export const RefreshSession = defineCommand('identity.refresh-session.v1', z.strictObject({ refreshToken: z.string().min(1).max(200) }), sessionSchema);

/** Ends the session the refresh token belongs to. */
export const LogOut = defineCommand('identity.log-out.v1', z.strictObject({ refreshToken: z.string().min(1).max(200) }), z.object({ loggedOut: z.boolean() }));

/** Reads one user's profile. */
export const GetProfile = defineQuery('identity.get-profile.v1', z.strictObject({ userId: z.uuid() }), profileSchema);

/** Changes a user's name or preferences. */
export const UpdateProfile = defineCommand(
  'identity.update-profile.v1',
  z.strictObject({ userId: z.uuid(), name: z.string().trim().min(1).max(200).optional(), preferences: preferencesSchema.optional() }),
  profileSchema,
);

/** A user signed up. */
export const UserRegistered = defineEvent('identity.user-registered.v1', z.object({ userId: z.uuid(), email: z.email(), name: z.string() }));
