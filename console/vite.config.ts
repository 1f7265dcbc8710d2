import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hub serves the build at /console from dist/console; `npm run dev:console` proxies the API to a running hub.
const hub = process.env.TOKENHUB_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: { alias: { '@contract': fileURLToPath(new URL('../src/admin/contract.ts', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/admin', '/apps'].map((prefix) => [prefix, { target: hub, changeOrigin: false }])),
  },
});
