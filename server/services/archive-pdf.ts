/**
 * Archived plans as PDF documents, made on the server with pdfkit (no browser): the official
 * plan, and a plain-language copy for the client without internal content. Labels come from the
 * client's Finnish messages, so the document and the screen say the same. Every download is
 * audited.
 */
import PDFDocument from 'pdfkit';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { findArchivedPlanContent } from '../repositories/archive.js';
import { changeTable } from '../../shared/views/wheel.js';
import { currentStage } from '../../shared/views/path.js';
import { FINNISH_TIME_ZONE, finnishDate } from '../../shared/finnish-time.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { requireCaseAccess } from './case-access.js';
import { visibleParts } from '../access/policy.js';
import { withholdViews, type ArchiveContent } from './archive-service.js';
import { FONT_BOLD, FONT_REGULAR, fi as t } from './document-assets.js';

const day = (iso: string) => (iso ? new Intl.DateTimeFormat('fi-FI', { dateStyle: 'long', timeZone: FINNISH_TIME_ZONE }).format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso)) : '–');

export type Copy = 'official' | 'client';

/** Renders an archived version; resolves with the PDF's bytes. */
export function renderPlanPdf(content: ArchiveContent, copy: Copy): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${content.caseName} – ${t('pdf_title')}`, Author: content.organisation } });
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string, size = 14) => doc.moveDown(0.6).font('bold').fontSize(size).text(text).moveDown(0.2).font('regular').fontSize(10.5);
  const line = (text: string) => doc.font('regular').fontSize(10.5).text(text);
  const who = (responsible: string) =>
    responsible === 'client' ? t(copy === 'client' ? 'client_who_you' : 'plan_action_responsible_client') : content.people[responsible]?.name ?? '–';
  const plan = content.plan;

  // Header: organisation, document, client, version.
  doc.font('bold').fontSize(11).fillColor('#1d4e5f').text(content.organisation);
  doc.fillColor('black').fontSize(20).text(copy === 'client' ? t('client_plan_title') : t('pdf_title'));
  doc.font('regular').fontSize(11).text(`${content.caseName} · ${t('pdf_version', { version: String(content.version), date: day(content.archivedAt) })}`);
  if (copy === 'official' && plan.types.length > 0) line(plan.types.map((type) => t(`plan_type_${type}`)).join(', '));

  if (plan.clientWords) {
    heading(copy === 'client' ? t('pdf_client_words_client') : t('plan_client_words'));
    line(plan.clientWords);
  }
  if (copy === 'official' && plan.strengths) {
    heading(t('plan_strengths'));
    line(plan.strengths);
  }

  heading(copy === 'client' ? t('client_goals_heading') : t('plan_goals_heading'));
  plan.goals.forEach((goal, i) => {
    doc.moveDown(0.3).font('bold').fontSize(12).text(`${i + 1}. ${goal.title || '–'}`);
    doc.font('regular').fontSize(10.5);
    line(copy === 'client' ? t(`client_goal_${goal.status}`) : `${t('plan_goal_status')}: ${t(`goal_status_${goal.status}`)}${goal.lifeArea ? ` · ${t(`life_area_${goal.lifeArea}`)}` : ''}`);
    if (goal.description) line(goal.description);
    if (copy === 'official' && goal.clientStance === 'disagree') {
      line(`${t('plan_client_reason')}: ${goal.clientReason}`);
      line(`${t('plan_professional_reason')}: ${goal.professionalReason}`);
    }
    for (const action of goal.actions) {
      const due = action.due ? ` · ${day(action.due)}` : '';
      doc.text(`•  ${action.text || '–'} — ${who(action.responsible)}${due} (${t(`action_status_${action.status}`)})`, { indent: 12 });
    }
  });

  if (plan.nextReview) {
    heading(copy === 'client' ? t('client_next_meeting_heading') : t('plan_next_review'));
    line(day(plan.nextReview));
  }

  const wheel = content.views.wheel;
  if (wheel && wheel.rounds.length > 0) {
    heading(copy === 'client' ? t('client_wheel_heading') : t('wheel_heading'));
    for (const row of changeTable(wheel)) {
      const area = row.label || t(`life_area_${row.areaId}`);
      if (row.current === null && row.client === null) continue;
      line(`${area}: ${t('wheel_now')} ${row.current ?? '–'} · ${t('wheel_client')} ${row.client ?? '–'}${row.change !== null ? ` · ${t('wheel_change')} ${row.change > 0 ? '+' : ''}${row.change}` : ''}`);
    }
  }
  if (content.views.path.stages.length > 0) {
    heading(copy === 'client' ? t('client_path_heading') : t('path_heading'));
    const now = currentStage(content.views.path, finnishDate(content.archivedAt));
    for (const stage of content.views.path.stages) line(`${t(`path_stage_${stage.kind}`)} ${stage.date ? day(stage.date) : ''}${now?.id === stage.id ? ` ← ${t('path_current')}` : ''}`);
  }
  if (copy === 'official' && content.views.network.length > 0) {
    heading(t('network_heading'));
    for (const node of content.views.network) {
      line(`${node.name || node.relation} (${t(`network_sector_${node.sector}`)}, ${t(`network_ring_${node.pos.ring}`)}, ${t(`network_quality_${node.quality}`)})`);
    }
  }
  if (copy === 'official' && content.internalNotes.trim()) {
    heading(t('pdf_internal_notes'));
    line(content.internalNotes);
  }

  heading(copy === 'client' ? t('pdf_agreed_by') : t('pdf_signatures'));
  for (const s of content.signatures) line(`${t(`pdf_step_${s.step}`)}: ${s.name}, ${t(`role_${s.role}`)}, ${s.organisation} · ${day(s.at)}`);
  if (copy === 'official') {
    doc.moveDown(1).fontSize(8).fillColor('#555').text(t('pdf_hash', { hash: content.previousHash ? `${content.previousHash.slice(0, 16)}…` : '–' }));
  }
  doc.end();
  return done;
}

/** The PDF of an archived version for a reader with access to the case; the download is audited. */
export async function archivedPdf(db: Db, p: Principal, id: string, copy: Copy, meta: RequestMeta): Promise<{ bytes: Uint8Array<ArrayBuffer>; filename: string }> {
  const row = await findArchivedPlanContent(db, id);
  if (!row) throw new AppError(404, 'not_found', 'no such archived plan');
  const { facts } = await requireCaseAccess(db, p, row.case_id, meta, 'plan');
  const bytes = await renderPlanPdf(withholdViews(JSON.parse(row.content) as ArchiveContent, visibleParts(p, facts)), copy);
  await audit(db, { action: 'export', principal: p, caseId: row.case_id, details: { archived: id, copy, format: 'pdf' }, meta });
  return { bytes: new Uint8Array(bytes), filename: `suunnitelma-v${row.version}${copy === 'client' ? '-asiakas' : ''}.pdf` };
}
