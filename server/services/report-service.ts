/**
 * The coordinator's follow-up reports for their organisation: figures computed from each
 * client's case (demographics) and document (path, plan service, assessment wheel), shown on
 * screen, and exported as CSV and PDF with the small-number rule applied. Exports are audited.
 */
import PDFDocument from 'pdfkit';
import * as Y from 'yjs';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { listCaseDemographics } from '../repositories/cases.js';
import { applyStored, createDocumentStore } from '../repositories/documents.js';
import { computeReport, reportRows, type ClientFacts, type Report, type ReportQuery } from '../../shared/reports.js';
import { planToJson } from '../../shared/plan/json.js';
import { pathToJson, wheelToJson } from '../../shared/views/index.js';
import { caseRoom, viewRoom } from '../../shared/rooms.js';
import type { Principal, RequestMeta } from '../domain/principal.js';
import { audit } from './audit-service.js';
import { toCsv } from './csv.js';
import { FONT_REGULAR, fi, hasFi } from './document-assets.js';


function requireCoordinator(p: Principal): void {
  if (p.role !== 'coordinator') throw new AppError(403, 'forbidden', 'follow-up reports are for coordinators');
}

/** The facts of every client of the organisation (documents read from storage, not loaded as rooms). */
export async function clientFacts(db: Db, organisationId: string): Promise<ClientFacts[]> {
  const cases = await listCaseDemographics(db, organisationId);
  const store = createDocumentStore(db);
  const facts: ClientFacts[] = [];
  const read = async <T>(docName: string, view: (doc: Y.Doc) => T): Promise<T> => {
    const doc = new Y.Doc();
    try {
      applyStored(doc, await store.load(docName));
      return view(doc);
    } finally {
      doc.destroy();
    }
  };
  for (const c of cases) {
    facts.push({
      gender: c.gender,
      birthYear: c.birth_year,
      contractType: (await read(caseRoom(c.id), planToJson)).service.contractType,
      path: await read(viewRoom(c.id, 'path'), pathToJson),
      wheel: await read(viewRoom(c.id, 'wheel'), wheelToJson)
    });
  }
  return facts;
}

export async function getReport(db: Db, p: Principal, query: ReportQuery): Promise<Report> {
  requireCoordinator(p);
  return computeReport(await clientFacts(db, p.organisationId), query);
}

const label = (section: string, key: string): string => {
  const keys: Record<string, string> = {
    section: key === 'days' ? 'report_days_label' : `report_${key}`,
    referrals: `path_source_${key}`,
    gender: `gender_${key}`,
    age: `age_${key}`,
    contract: key === 'none' ? 'report_none' : `contract_${key}`,
    outcome: `path_outcome_${key}`,
    area: `life_area_${key}`
  };
  const message = keys[section] ?? '';
  return hasFi(message) ? fi(message) : key;
};

export async function exportReport(db: Db, p: Principal, query: ReportQuery, format: 'csv' | 'pdf', meta: RequestMeta): Promise<{ body: Uint8Array<ArrayBuffer> | string; type: string; filename: string }> {
  const report = await getReport(db, p, query);
  const rows = reportRows(report, label);
  await audit(db, { action: 'export', principal: p, details: { report: `${query.from}/${query.to}`, format }, meta });
  const filename = `seuranta-${query.from}-${query.to}.${format}`;
  if (format === 'csv') return { body: toCsv(rows, [label('section', 'section'), label('section', 'item'), label('section', 'value')]), type: 'text/csv; charset=utf-8', filename };
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: fi('report_title') } });
  doc.registerFont('regular', FONT_REGULAR);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font('regular').fontSize(18).text(`${fi('report_title')}: ${p.organisationName}`);
  doc.fontSize(10).text(fi('report_masking')).moveDown();
  let section = '';
  for (const [s, item, value] of rows) {
    if (s !== section) {
      doc.moveDown(0.5).fontSize(12).text(s);
      section = s;
    }
    doc.fontSize(10).text(item ? `${item}: ${value}` : String(value), { indent: 12 });
  }
  doc.end();
  return { body: new Uint8Array(await done), type: 'application/pdf', filename };
}
