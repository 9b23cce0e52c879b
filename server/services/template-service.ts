/** Assessment-wheel templates: the built-in ones and those an organisation defines for itself. */
import type { Db } from '../db/database.js';
import { inTransaction } from '../repositories/transaction.js';
import { insertWheelTemplate, listWheelTemplates, removeWheelTemplate } from '../repositories/wheel-templates.js';
import { now } from '../db/time.js';
import { AppError } from '../errors.js';
import { mayReadAudit } from '../access/policy.js';
import { BUILT_IN_TEMPLATES, newWheelTemplateSchema, type NewWheelTemplate, type WheelTemplate } from '../../shared/views/wheel.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';

/** Coordinators and administrators look after their organisation's templates. */
const mayManageTemplates = mayReadAudit;

export interface TemplateList {
  templates: Array<WheelTemplate & { builtIn: boolean }>;
  canManage: boolean;
}

export async function listTemplates(db: Db, p: Principal): Promise<TemplateList> {
  const rows = await listWheelTemplates(db, p.organisationId);
  const own = rows.map((r) => ({
    id: `org:${r.id}`,
    name: r.name,
    min: r.min,
    max: r.max,
    areas: (JSON.parse(r.areas) as string[]).map((label, i) => ({ id: `area-${i + 1}`, label })),
    builtIn: false
  }));
  return { templates: [...BUILT_IN_TEMPLATES.map((t) => ({ ...t, builtIn: true })), ...own], canManage: mayManageTemplates(p) };
}

export async function createTemplate(db: Db, p: Principal, body: NewWheelTemplate, meta: RequestMeta): Promise<{ id: string }> {
  if (!mayManageTemplates(p)) throw new AppError(403, 'forbidden', 'only coordinators and administrators define templates');
  const input = newWheelTemplateSchema.parse(body);
  const id = crypto.randomUUID();
  await inTransaction(db, async (trx) => {
    await insertWheelTemplate(trx, { id, organisation_id: p.organisationId, name: input.name, min: input.min, max: input.max, areas: JSON.stringify(input.areas), created_by: p.accountId, created_at: now(), removed_at: null });
    await audit(trx, { action: 'template_change', principal: p, details: { created: id }, meta });
  });
  return { id: `org:${id}` };
}

/** Takes a template out of use; wheels that use it keep their own copy. */
export async function removeTemplate(db: Db, p: Principal, id: string, meta: RequestMeta): Promise<void> {
  if (!mayManageTemplates(p)) throw new AppError(403, 'forbidden', 'only coordinators and administrators define templates');
  if (!(await removeWheelTemplate(db, id, p.organisationId, now()))) throw new AppError(404, 'not_found', 'no such template');
  await audit(db, { action: 'template_change', principal: p, details: { removed: id }, meta });
}
