/** Password hashing with argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1). */
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id; the package exports it as a const enum, which isolated modules cannot read.
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password into a self-describing PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A valid hash of a random string, so that unknown accounts cost the same time to refuse. */
const DUMMY_HASH = hash(crypto.randomUUID(), OPTIONS);

/** Checks `password` against `stored`; with `stored` undefined it spends the same time and fails. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (stored === undefined) {
    await verify(await DUMMY_HASH, password);
    return false;
  }
  return verify(stored, password);
}
