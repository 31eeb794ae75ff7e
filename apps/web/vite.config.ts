import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dev server proxies the API to a locally running Gatehouse (default port 3100), so the SPA
// talks to the same origin in development and in production.
const apiTarget = "http://127.0.0.1:3100";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The server's CSP only allows data: URLs for images (fonts fall under default-src 'self'),
    // so every asset is emitted as a file rather than inlined.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      "/v1": { target: apiTarget, changeOrigin: false },
      "/health": { target: apiTarget, changeOrigin: false },
    },
  },
});
