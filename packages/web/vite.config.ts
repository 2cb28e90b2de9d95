import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The web app is served by the Lingxi server under /workbench (see packages/server/src/http/web-app.ts); `npm run
 * dev:web` proxies the API to a server on :3000 so that the UI can be developed with hot reload.
 */
export default defineConfig({
  base: '/workbench/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // antd is one large, rarely changing chunk; the app's own code stays small and cache-friendly apart from it.
    chunkSizeWarningLimit: 1600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|rc-[^\\/]+|@rc-component|dayjs)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
});
