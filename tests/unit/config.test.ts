import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isClientBuildStale } from '../../server/cli/build-client.js';
import { loadConfig } from '../../server/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.maxConnectionsPerSession).toBe(20);
    expect(config.maxSessionsPerAccount).toBe(10);
    expect(config.maxMessageBytes).toBe(5 * 1024 * 1024);
    expect(config.commitWindowMs).toBeLessThanOrEqual(25);
    expect(config.sqliteSynchronous).toBe('FULL');
    expect(config.databaseUrl).toBeUndefined();
  });

  it('names the variable that has a bad value', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ POLKU_COMMIT_WINDOW_MS: '100' })).toThrow(/POLKU_COMMIT_WINDOW_MS/);
  });
});

describe('client build staleness', () => {
  it('is stale when the build is missing or older than a source file', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-build-'));
    fs.mkdirSync(path.join(root, 'client'));
    fs.writeFileSync(path.join(root, 'client', 'app.html'), '<html></html>');
    const build = path.join(root, 'build');
    expect(isClientBuildStale(build, root)).toBe(true);
    fs.mkdirSync(build);
    fs.writeFileSync(path.join(build, 'index.html'), 'built');
    const later = new Date(Date.now() + 10_000);
    fs.utimesSync(path.join(build, 'index.html'), later, later);
    expect(isClientBuildStale(build, root)).toBe(false);
    const laterStill = new Date(Date.now() + 20_000);
    fs.utimesSync(path.join(root, 'client', 'app.html'), laterStill, laterStill);
    expect(isClientBuildStale(build, root)).toBe(true);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
