import { z } from 'zod';
import { GENDERS } from './reports.js';
import { roleSchema } from './roles.js';
import { finnishYear } from './finnish-time.js';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'invalid e-mail address' }));

/** OWASP ASVS: at least 12 characters, no composition rules, long passphrases allowed. */
export const passwordSchema = z
  .string()
  .min(12, { message: 'password must have at least 12 characters' })
  .max(256, { message: 'password must have at most 256 characters' });

const name = z.string().trim().min(1, { message: 'required' }).max(200);

export const setupBodySchema = z.object({
  organisation: name,
  name,
  email,
  password: passwordSchema
});
export type SetupBody = z.infer<typeof setupBodySchema>;

export const loginBodySchema = z.object({
  email,
  password: z.string().min(1, { message: 'required' }).max(256)
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const createCaseBodySchema = z.object({
  displayName: name,
  /** For the follow-up reports only; optional. */
  gender: z.enum(GENDERS, { message: 'female, male, other or unknown' }).default('unknown'),
  birthYear: z
    .number()
    .int()
    .min(1900, { message: 'a year like 1998' })
    // Checked at each parse, not at load: a server running over New Year accepts the new year.
    .refine((year) => year <= finnishYear(), { message: 'a year like 1998' })
    .nullable()
    .default(null)
});
export type CreateCaseBody = z.infer<typeof createCaseBodySchema>;

export const caseIdSchema = z.object({ id: z.uuid({ message: 'invalid case id' }) });

export const createUserSchema = z.object({
  email,
  name,
  role: roleSchema,
  organisation: name,
  password: passwordSchema
});
export type CreateUser = z.infer<typeof createUserSchema>;
