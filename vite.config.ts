import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

const testDefaults = {
  environment: 'node' as const,
  pool: 'forks' as const
};

export default defineConfig({
  plugins: [
    paraglideVitePlugin({
      project: './client/project.inlang',
      outdir: './client/lib/paraglide',
      strategy: ['localStorage', 'baseLocale']
    }),
    sveltekit({
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
      files: {
        src: 'client',
        assets: 'client/static',
        lib: 'client/lib',
        routes: 'client/routes',
        params: 'client/params',
        appTemplate: 'client/app.html',
        hooks: { client: 'client/hooks.client', server: 'client/hooks.server', universal: 'client/hooks' }
      },
      alias: { $shared: 'shared' },
      typescript: {
        config: (config) => {
          config.include.push('../server/**/*.ts', '../shared/**/*.ts', '../tests/**/*.ts', '../vite.config.ts');
          return config;
        }
      }
    })
  ],
  server: { fs: { allow: ['shared'] } },
  test: {
    projects: [
      {
        test: { ...testDefaults, name: 'unit', include: ['tests/unit/**/*.test.ts'] }
      },
      {
        test: {
          ...testDefaults,
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000
        }
      },
      {
        test: {
          ...testDefaults,
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false
        }
      },
      {
        test: {
          ...testDefaults,
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false
        }
      }
    ]
  }
});
