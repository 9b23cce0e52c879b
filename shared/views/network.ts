/**
 * The network map (verkostokartta) in the case document, declared once:
 *
 *   network: Y.Map
 *     nodes: Y.Map<nodeId, Y.Map>
 *       name, relation, sector, kind ('person' | 'service'), organisation, contact, quality,
 *       memberId (a team member's account id, or ''), pos: { ring, angle }   (a plain value)
 *     versions: Y.Map<versionId, NetworkVersion>    a copy of the nodes saved with each meeting
 *
 * The client is at the centre; `ring` 1–3 is closeness (1 closest) and `angle` (0–1) the place
 * within the node's sector. The position is ONE value: two people moving the same node at once
 * converge on one of the two positions, never on one's ring with the other's angle.
 *
 * Data minimisation: a private person (family, friends) is stored with a first name or the
 * relation only, and never with contact details; the schema refuses them.
 */
import * as Y from 'yjs';
import { z } from 'zod';

export const SECTORS = ['family', 'friends', 'professionals', 'school_work', 'hobbies_other'] as const;
export type Sector = (typeof SECTORS)[number];
export const QUALITIES = ['supportive', 'neutral', 'strained', 'broken'] as const;
export type Quality = (typeof QUALITIES)[number];
export const NODE_KINDS = ['person', 'service'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export const RINGS = [1, 2, 3] as const;

/** Sectors whose people are private persons: first name or relation only, no contact details. */
export const PRIVATE_SECTORS: readonly Sector[] = ['family', 'friends'];

export interface NodePos {
  ring: number;
  angle: number;
}

export interface NodeJson {
  id: string;
  name: string;
  relation: string;
  sector: Sector;
  kind: NodeKind;
  organisation: string;
  contact: string;
  quality: Quality;
  memberId: string;
  pos: NodePos;
}

export interface NetworkVersion {
  id: string;
  at: string;
  meetingId: string | null;
  nodes: NodeJson[];
}

export interface NetworkJson {
  nodes: NodeJson[];
  versions: NetworkVersion[];
}

type YMap = Y.Map<unknown>;

export function networkMap(doc: Y.Doc): YMap {
  return doc.getMap('network');
}
export const nodesMap = (doc: Y.Doc) => networkMap(doc).get('nodes') as Y.Map<YMap> | undefined;
export const versionsMap = (doc: Y.Doc) => networkMap(doc).get('versions') as Y.Map<NetworkVersion> | undefined;

/** Creates the map's shared types if missing (the server does it when a case is created). */
export function ensureNetworkTypes(doc: Y.Doc): void {
  doc.transact(() => {
    const network = networkMap(doc);
    if (!(network.get('nodes') instanceof Y.Map)) network.set('nodes', new Y.Map());
    if (!(network.get('versions') instanceof Y.Map)) network.set('versions', new Y.Map());
  });
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A free place for a new node in `sector` on `ring`: the middle of the widest gap between the others there. */
export function freeAngle(nodes: readonly NodeJson[], sector: Sector, ring: number): number {
  const taken = nodes.filter((n) => n.sector === sector && n.pos.ring === ring).map((n) => n.pos.angle).sort((a, b) => a - b);
  if (taken.length === 0) return 0.5;
  const edges = [0, ...taken, 1];
  let best = 0.5;
  let width = -1;
  for (let i = 0; i < edges.length - 1; i++) {
    const gap = edges[i + 1]! - edges[i]!;
    if (gap > width) {
      width = gap;
      best = edges[i]! + gap / 2;
    }
  }
  return clamp(best, 0.05, 0.95);
}

/** A new node: give a position, or only a ring and let it find a free place there. */
export type NewNode = Partial<Omit<NodeJson, 'id' | 'pos'>> & { id?: string; pos?: NodePos; ring?: number };

/** Adds a node (at a free place in its sector unless a position is given); returns its id. */
export function addNode(doc: Y.Doc, node: NewNode): string {
  const id = node.id ?? crypto.randomUUID();
  doc.transact(() => {
    ensureNetworkTypes(doc);
    const sector = node.sector ?? 'family';
    const ring = node.pos?.ring ?? node.ring ?? 2;
    const map = new Y.Map<unknown>();
    map.set('name', node.name ?? '');
    map.set('relation', node.relation ?? '');
    map.set('sector', sector);
    map.set('kind', node.kind ?? (PRIVATE_SECTORS.includes(sector) ? 'person' : 'service'));
    map.set('organisation', node.organisation ?? '');
    map.set('contact', PRIVATE_SECTORS.includes(sector) ? '' : (node.contact ?? ''));
    map.set('quality', node.quality ?? 'supportive');
    map.set('memberId', node.memberId ?? '');
    map.set('pos', node.pos ?? { ring, angle: freeAngle(nodesToJson(doc), sector, ring) });
    nodesMap(doc)!.set(id, map);
  });
  return id;
}

/** Moves a node: one write of its whole position. */
export function moveNode(doc: Y.Doc, id: string, pos: NodePos): void {
  const node = nodesMap(doc)?.get(id);
  if (!node) return;
  doc.transact(() => node.set('pos', { ring: clamp(Math.round(pos.ring), 1, 3), angle: clamp(pos.angle, 0, 1) }));
}

/** Changes one field of a node; moving a node into a private sector drops its contact details. */
export function updateNode(doc: Y.Doc, id: string, field: Exclude<keyof NodeJson, 'id' | 'pos'>, value: string): void {
  const node = nodesMap(doc)?.get(id);
  if (!node) return;
  doc.transact(() => {
    node.set(field, value);
    if (field === 'sector' && PRIVATE_SECTORS.includes(value as Sector)) {
      node.set('contact', '');
      node.set('kind', 'person');
    }
  });
}

export function removeNode(doc: Y.Doc, id: string): void {
  doc.transact(() => nodesMap(doc)?.delete(id));
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function posOf(v: unknown): NodePos {
  const p = v as Partial<NodePos> | undefined;
  return { ring: typeof p?.ring === 'number' ? p.ring : 2, angle: typeof p?.angle === 'number' ? p.angle : 0.5 };
}

/** The nodes as plain JSON, by sector, then ring, then angle, then id (the same on every replica). */
export function nodesToJson(doc: Y.Doc): NodeJson[] {
  return [...(nodesMap(doc)?.entries() ?? [])]
    .map(([id, n]) => ({
      id,
      name: str(n.get('name')),
      relation: str(n.get('relation')),
      sector: (str(n.get('sector')) || 'family') as Sector,
      kind: (str(n.get('kind')) || 'person') as NodeKind,
      organisation: str(n.get('organisation')),
      contact: str(n.get('contact')),
      quality: (str(n.get('quality')) || 'neutral') as Quality,
      memberId: str(n.get('memberId')),
      pos: posOf(n.get('pos'))
    }))
    .sort((a, b) => SECTORS.indexOf(a.sector) - SECTORS.indexOf(b.sector) || a.pos.ring - b.pos.ring || a.pos.angle - b.pos.angle || (a.id < b.id ? -1 : 1));
}

export function networkToJson(doc: Y.Doc): NetworkJson {
  const versions = [...(versionsMap(doc)?.values() ?? [])].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
  return { nodes: nodesToJson(doc), versions };
}

export function networkFromJson(json: NetworkJson, doc: Y.Doc = new Y.Doc()): Y.Doc {
  doc.transact(() => {
    ensureNetworkTypes(doc);
    for (const node of json.nodes) {
      addNode(doc, node);
      // Stored as given: addNode would drop a private person's contact, which the schema refuses anyway.
      nodesMap(doc)!.get(node.id)!.set('contact', node.contact);
    }
    for (const version of json.versions) versionsMap(doc)!.set(version.id, version);
  });
  return doc;
}

/** Saves the current map as a version (with a meeting, or by hand); returns its id. */
export function saveVersion(doc: Y.Doc, meetingId: string | null, at: string): string {
  const id = crypto.randomUUID();
  doc.transact(() => {
    ensureNetworkTypes(doc);
    versionsMap(doc)!.set(id, { id, at, meetingId, nodes: nodesToJson(doc) });
  });
  return id;
}

const nodeSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().trim().max(100),
    relation: z.string().max(100),
    sector: z.enum(SECTORS, { message: 'unknown sector' }),
    kind: z.enum(NODE_KINDS),
    organisation: z.string().max(200),
    contact: z.string().max(300),
    quality: z.enum(QUALITIES, { message: 'unknown relation quality' }),
    memberId: z.string().max(64),
    pos: z.object({ ring: z.number().int().min(1).max(3, { message: 'rings are 1 to 3' }), angle: z.number().min(0).max(1) })
  })
  .superRefine((node, ctx) => {
    if (PRIVATE_SECTORS.includes(node.sector) && node.contact !== '') {
      ctx.addIssue({ code: 'custom', path: ['contact'], message: 'keep contact details of private persons out of the map' });
    }
    if (node.name === '' && node.relation === '') ctx.addIssue({ code: 'custom', path: ['name'], message: 'give a name or a relation' });
  });

export const networkJsonSchema = z.object({
  nodes: z.array(nodeSchema).max(200),
  versions: z.array(z.object({ id: z.string(), at: z.string(), meetingId: z.string().nullable(), nodes: z.array(nodeSchema) }))
});

export interface NetworkDiff {
  came: NodeJson[];
  left: NodeJson[];
  closer: Array<{ node: NodeJson; from: number; to: number }>;
  further: Array<{ node: NodeJson; from: number; to: number }>;
}

/** What changed from version `a` to version `b`: who came, who left, who moved closer or further. */
export function compareNetworks(a: readonly NodeJson[], b: readonly NodeJson[]): NetworkDiff {
  const before = new Map(a.map((n) => [n.id, n]));
  const after = new Map(b.map((n) => [n.id, n]));
  const diff: NetworkDiff = { came: [], left: [], closer: [], further: [] };
  for (const node of b) {
    const was = before.get(node.id);
    if (!was) diff.came.push(node);
    else if (node.pos.ring < was.pos.ring) diff.closer.push({ node, from: was.pos.ring, to: node.pos.ring });
    else if (node.pos.ring > was.pos.ring) diff.further.push({ node, from: was.pos.ring, to: node.pos.ring });
  }
  for (const node of a) if (!after.has(node.id)) diff.left.push(node);
  return diff;
}

/** The radius of a ring's middle (ring 1 keeps clear of the client at the centre). */
export function ringRadius(ring: number, ringGap: number): number {
  return ringGap * (ring + 0.1);
}

/** Where a node is drawn: the centre at (0, 0), rings `ringGap` apart, each sector an equal slice. */
export function nodePoint(node: Pick<NodeJson, 'sector' | 'pos'>, ringGap: number): { x: number; y: number } {
  const slice = (2 * Math.PI) / SECTORS.length;
  const theta = -Math.PI / 2 + slice * (SECTORS.indexOf(node.sector) + clamp(node.pos.angle, 0, 1));
  const r = ringRadius(node.pos.ring, ringGap);
  return { x: r * Math.cos(theta), y: r * Math.sin(theta) };
}

/**
 * Where every node is drawn. Where a ring of a sector holds more than two nodes, they
 * alternate slightly inside and outside the ring, which doubles the room for their labels
 * (40 nodes stay readable) without changing anyone's closeness.
 */
export function layoutNodes(nodes: ReadonlyArray<Pick<NodeJson, 'id' | 'sector' | 'pos'>>, ringGap: number): Map<string, { x: number; y: number }> {
  const groups = new Map<string, Array<Pick<NodeJson, 'id' | 'sector' | 'pos'>>>();
  for (const node of nodes) {
    const key = `${node.sector}:${node.pos.ring}`;
    const group = groups.get(key);
    if (group) group.push(node);
    else groups.set(key, [node]);
  }
  const points = new Map<string, { x: number; y: number }>();
  for (const group of groups.values()) {
    group.sort((a, b) => a.pos.angle - b.pos.angle || (a.id < b.id ? -1 : 1));
    group.forEach((node, k) => {
      const base = nodePoint(node, ringGap);
      if (group.length <= 2) return points.set(node.id, base);
      const r = ringRadius(node.pos.ring, ringGap);
      const scale = (r + (k % 2 === 0 ? -0.22 : 0.22) * ringGap) / r;
      points.set(node.id, { x: base.x * scale, y: base.y * scale });
    });
  }
  return points;
}

/** The position nearest to a point on the map (for pointer drags), kept within the node's sector. */
export function posAt(x: number, y: number, sector: Sector, ringGap: number): NodePos {
  const slice = (2 * Math.PI) / SECTORS.length;
  const ring = clamp(Math.round(Math.hypot(x, y) / ringGap - 0.1), 1, 3);
  let theta = Math.atan2(y, x) + Math.PI / 2;
  if (theta < 0) theta += 2 * Math.PI;
  const angle = (theta - slice * SECTORS.indexOf(sector)) / slice;
  return { ring, angle: clamp(angle, 0.02, 0.98) };
}
