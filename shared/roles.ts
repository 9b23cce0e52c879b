import { z } from 'zod';

/** Professional roles of an account. `observer` may only read. */
export const ROLES = [
  'social_worker',
  'psychiatric_nurse',
  'te_expert',
  'coach',
  'coordinator',
  'admin',
  'observer'
] as const;

export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** What a connection may do with a document. */
export type DocAccess = 'edit' | 'view';
