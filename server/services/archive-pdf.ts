/**
 * Archived plans as PDF documents, made on the server with pdfkit (no browser): the official
 * plan, and a plain-language copy for the client without internal content. What they hold is the
 * shared description of the plan's sections (`shared/plan/sections.ts`), in the client's Finnish
 * messages, so the documents and the screen say the same. Every download is audited.
 */
import PDFDocument from 'pdfkit';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { findArchivedPlanContent } from '../repositories/archive.js';
import { planHeading, planSections, resolveSections, resolveText, type Copy, type ResolvedSection } from '../../shared/plan/sections.js';
import { FINNISH_TIME_ZONE } from '../../shared/finnish-time.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { requireCaseAccess } from './case-access.js';
import { visibleParts } from '../access/policy.js';
import { withholdViews, type ArchiveContent } from './archive-service.js';
import { FONT_BOLD, FONT_REGULAR, fi as t } from './document-assets.js';

export type { Copy };

const day = (iso: string) => new Intl.DateTimeFormat('fi-FI', { dateStyle: 'long', timeZone: FINNISH_TIME_ZONE }).format(new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso));

/** The sections of an archived version in Finnish words, as the PDFs and the hand-over package carry them. */
export function documentSections(content: ArchiveContent, copy: Copy): ResolvedSection[] {
  return resolveSections(planSections(content, copy), t, day);
}

/** Renders an archived version; resolves with the PDF's bytes. The content is `planSections`' (shared with the print view): this only lays it out. */
export function renderPlanPdf(content: ArchiveContent, copy: Copy): Promise<Buffer> {
  const title = resolveText(planHeading(content, copy), t, day);
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${content.caseName} – ${title}`, Author: content.organisation } });
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const line = (text: string, indent = 0) => doc.font('regular').fontSize(10.5).text(text, { indent });

  doc.font('bold').fontSize(11).fillColor('#1d4e5f').text(content.organisation);
  doc.fillColor('black').fontSize(20).text(title);
  doc.font('regular').fontSize(11).text(`${content.caseName} · ${t('pdf_version', { version: String(content.version), date: day(content.archivedAt) })}`);
  for (const section of documentSections(content, copy)) {
    doc.moveDown(0.6).font('bold').fontSize(14).text(section.heading).moveDown(0.2);
    for (const item of section.items) {
      if (item.kind === 'title') doc.moveDown(0.3).font('bold').fontSize(12).text(item.value);
      else if (item.kind === 'field') line(`${item.label}: ${item.value}`);
      else if (item.kind === 'text') line(item.value);
      else for (const entry of item.items) line(`•  ${entry}`, 12);
    }
  }
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
