/** Vocabulary of the multi-agency access model, shared by server, client and tests. */
import { z } from 'zod';
import { roleSchema } from './roles.js';

export const ORGANISATION_KINDS = [
  'municipal_social_services',
  'health_care',
  'employment_services',
  'education',
  'third_sector',
  'other'
] as const;
export const organisationKindSchema = z.enum(ORGANISATION_KINDS);
export type OrganisationKind = z.infer<typeof organisationKindSchema>;

export const CASE_ROLES = ['responsible', 'member', 'observer'] as const;
export const caseRoleSchema = z.enum(CASE_ROLES);

export const CONSENT_METHODS = ['signed', 'oral_meeting', 'electronic'] as const;

/** Every action the audit log records. */
export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'case_created',
  'case_view',
  'edit_session_opened',
  'edit_session_closed',
  'view_session_opened',
  'view_session_closed',
  'access_denied',
  'team_change',
  'consent_change',
  'account_change',
  'audit_export',
  'export',
  'print',
  'meeting_change',
  'guest_change',
  'client_voice',
  'template_change',
  'plan_change',
  'case_change',
  'retention_removal',
  'organisation_change'
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const dateOnly = z.iso.date({ message: 'use a date like 2027-01-31' });

/**
 * The parts of a case a consent can open to another organisation's professionals: the plan
 * (with the professionals' internal notes), the assessment wheel, the network map, the guidance
 * path and the meetings. Each view part is its own Yjs document, so the server can withhold it.
 */
export const CASE_PARTS = ['plan', 'wheel', 'network', 'path', 'meetings'] as const;
export const casePartSchema = z.enum(CASE_PARTS);
export type CasePart = z.infer<typeof casePartSchema>;

/** What a consent covers: the parts (at least one) and a free-text note (what was recorded before). */
export const consentScopeSchema = z.object({
  parts: z
    .array(casePartSchema)
    .min(1, { message: 'choose at least one part' })
    .max(CASE_PARTS.length)
    // Stored and shown in one order, whatever order the form sent them in.
    .transform((parts) => CASE_PARTS.filter((part) => parts.includes(part))),
  note: z.string().trim().max(500).default('')
});
export type ConsentScope = z.infer<typeof consentScopeSchema>;

export const recordConsentSchema = z.discriminatedUnion('basis', [
  z.object({
    basis: z.literal('consent'),
    organisationId: z.uuid(),
    method: z.enum(CONSENT_METHODS),
    scope: consentScopeSchema,
    validUntil: dateOnly.nullable().default(null)
  }),
  z.object({
    basis: z.literal('legal_basis'),
    organisationId: z.uuid(),
    legalBasis: z.string().trim().min(3, { message: 'name the law and section' }).max(300),
    scope: consentScopeSchema,
    validUntil: dateOnly.nullable().default(null)
  })
]);
export type RecordConsent = z.infer<typeof recordConsentSchema>;

export const addMemberSchema = z.object({
  accountId: z.uuid(),
  caseRole: z.enum(['member', 'observer']),
  access: z.enum(['edit', 'view'])
});
export type AddMember = z.infer<typeof addMemberSchema>;

export const inviteSchema = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email({ message: 'invalid e-mail address' })),
  name: z.string().trim().min(1, { message: 'required' }).max(200),
  role: roleSchema
});
export type Invite = z.infer<typeof inviteSchema>;

export const auditQuerySchema = z.object({
  caseId: z.uuid().optional(),
  accountId: z.uuid().optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  /** Inclusive start, an instant (the client turns a local day into one). */
  from: z.iso.datetime({ message: 'use an ISO date and time' }).optional(),
  /** Exclusive end, an instant. */
  to: z.iso.datetime({ message: 'use an ISO date and time' }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200)
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface TeamMember {
  accountId: string;
  name: string;
  role: string;
  organisationId: string;
  organisationName: string;
  caseRole: (typeof CASE_ROLES)[number];
  access: 'edit' | 'view';
  /** False when the member's organisation has no valid consent any more (access suspended). */
  active: boolean;
}

export interface ConsentView {
  id: string;
  organisationId: string;
  organisationName: string;
  basis: 'consent' | 'legal_basis';
  method: (typeof CONSENT_METHODS)[number] | null;
  legalBasis: string | null;
  scope: ConsentScope;
  validUntil: string | null;
  recordedBy: string;
  recordedAt: string;
  withdrawnAt: string | null;
  active: boolean;
}

export interface OrganisationView {
  id: string;
  name: string;
  kind: string;
}

export interface AccountView {
  id: string;
  name: string;
  email: string;
  role: string;
  deactivatedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  accountId: string | null;
  accountName: string | null;
  organisationName: string | null;
  caseId: string | null;
  caseName: string | null;
  action: string;
  details: string | null;
  ip: string | null;
}
