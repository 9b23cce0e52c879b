import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { caseDocFromJson, caseDocToJson, planNotes } from '../../shared/case-doc.js';
import { isErrorBody } from '../../shared/errors.js';
import { caseRoom, parseRoomName, viewRoom } from '../../shared/rooms.js';
import { createCaseBodySchema, createUserSchema, loginBodySchema, setupBodySchema } from '../../shared/schemas.js';
import { MESSAGE_SAVED, encodeSaved, readSaved } from '../../shared/sync-protocol.js';

const id = '0b7c4d64-9edd-476e-9ac3-44c7c73996fa';

describe('room names', () => {
  it('parses the case document and its internal notes', () => {
    expect(parseRoomName(caseRoom(id))).toEqual({ caseId: id, kind: 'case' });
    expect(parseRoomName(`case:${id}:internal`)).toEqual({ caseId: id, kind: 'internal' });
  });

  it("parses each view's own document", () => {
    for (const view of ['wheel', 'network', 'path'] as const) expect(parseRoomName(viewRoom(id, view))).toEqual({ caseId: id, kind: view });
  });

  it('rejects anything else', () => {
    for (const name of ['', 'case:', `case:${id}:other`, `case:${id}:wheel:internal`, `case:${id.toUpperCase()}`, `xcase:${id}`, `case:${id}/../x`, 'case:1']) {
      expect(parseRoomName(name)).toBeNull();
    }
  });
});

describe('case document', () => {
  it('round-trips between a Y.Doc and its JSON form', () => {
    const json = { title: 'Kohti omaa arkea', notes: 'Ensimmäinen tapaaminen\nToinen rivi' };
    expect(caseDocToJson(caseDocFromJson(json))).toEqual(json);
  });

  it('merges concurrent edits of two documents into the same text', () => {
    const a = caseDocFromJson({ title: '', notes: 'alku' });
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    planNotes(a).insert(0, 'A ');
    planNotes(b).insert(4, ' B');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(caseDocToJson(a)).toEqual(caseDocToJson(b));
    expect(planNotes(a).toString()).toBe('A alku B');
  });
});

describe('request schemas', () => {
  it('normalises e-mail addresses and requires 12-character passwords', () => {
    const ok = setupBodySchema.parse({ organisation: ' Kemi ', name: 'Anna', email: ' Anna@Example.FI ', password: 'x'.repeat(12) });
    expect(ok).toEqual({ organisation: 'Kemi', name: 'Anna', email: 'anna@example.fi', password: 'x'.repeat(12) });
    const short = setupBodySchema.safeParse({ organisation: 'Kemi', name: 'Anna', email: 'a@b.fi', password: 'short' });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.path).toEqual(['password']);
  });

  it('names the bad field', () => {
    expect(loginBodySchema.safeParse({ email: 'nope', password: 'x' }).error?.issues[0]?.path).toEqual(['email']);
    expect(createCaseBodySchema.safeParse({ displayName: '   ' }).error?.issues[0]?.path).toEqual(['displayName']);
    expect(createCaseBodySchema.safeParse({ displayName: 'x'.repeat(201) }).success).toBe(false);
  });

  it('accepts only the known roles', () => {
    const base = { email: 'a@b.fi', name: 'A', organisation: 'O', password: 'x'.repeat(12) };
    expect(createUserSchema.safeParse({ ...base, role: 'psychiatric_nurse' }).success).toBe(true);
    expect(createUserSchema.safeParse({ ...base, role: 'superuser' }).error?.issues[0]?.path).toEqual(['role']);
  });
});

describe('the "saved" protocol extension', () => {
  it('carries a state vector that decodes back', () => {
    const doc = new Y.Doc();
    doc.getText('notes').insert(0, 'abc');
    const message = encodeSaved(Y.encodeStateVector(doc));
    const decoder = decoding.createDecoder(message);
    expect(decoding.readVarUint(decoder)).toBe(MESSAGE_SAVED);
    expect(Y.decodeStateVector(readSaved(decoder)).get(doc.clientID)).toBe(3);
  });
});

describe('error bodies', () => {
  it('recognises the API error shape only', () => {
    expect(isErrorBody({ error: { code: 'not_found', message: 'x' } })).toBe(true);
    expect(isErrorBody({ error: 'x' })).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });
});
