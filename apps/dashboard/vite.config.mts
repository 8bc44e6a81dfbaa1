import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './precompress';

// The api serves the built files from dist/ (DASHBOARD_DIR) with an SPA fallback. Built files go
// under static/ rather than Vite's default assets/, because /assets/… belongs to the api; their
// names carry a content hash, so the api caches them for a year (see serveDashboard).
const api = process.env.BRANDWRIGHT_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react(), precompress()],
  // No source maps in the build: the api would serve them to anyone. `vite` (dev) still has them.
  build: { outDir: 'dist', assetsDir: 'static', emptyOutDir: true, sourcemap: false },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/graphiql': { target: api, changeOrigin: true },
      '/brands': { target: api, changeOrigin: true },
      '/assets': { target: api, changeOrigin: true },
    },
  },
});
