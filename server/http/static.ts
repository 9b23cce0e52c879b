/**
 * Serves the built single-page client: immutable assets cached long, everything else falls
 * back to index.html. Every response carries a strict Content-Security-Policy whose script
 * hashes are taken from the built index.html (SvelteKit starts the app with one inline script).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

interface IndexPage {
  mtimeMs: number;
  html: string;
  scriptHashes: string[];
}

function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    hashes.push(`'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
  }
  return hashes;
}

export function createStaticApp(clientDir: string): Hono {
  const root = path.relative(process.cwd(), clientDir) || '.';
  const indexFile = path.join(clientDir, 'index.html');
  let cached: IndexPage | null = null;
  const indexPage = (): IndexPage | null => {
    if (!fs.existsSync(indexFile)) return null;
    const { mtimeMs } = fs.statSync(indexFile);
    if (cached?.mtimeMs !== mtimeMs) {
      const html = fs.readFileSync(indexFile, 'utf8');
      cached = { mtimeMs, html, scriptHashes: inlineScriptHashes(html) };
    }
    return cached;
  };

  const app = new Hono();
  app.use('*', (c, next) =>
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...(indexPage()?.scriptHashes ?? [])],
        // Svelte's style: directives set inline style attributes (presence colours).
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"]
      },
      referrerPolicy: 'same-origin',
      xFrameOptions: 'DENY'
    })(c, next)
  );
  app.use('/_app/immutable/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use('*', serveStatic({ root }));
  app.get('*', (c) => {
    const page = indexPage();
    if (!page) return c.text('The client is not built: run `npm run build`.', 503);
    c.header('Cache-Control', 'no-cache');
    return c.html(page.html);
  });
  return app;
}
