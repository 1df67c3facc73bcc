import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Assets are served from the app itself; inline nothing so the CSP can stay 'self'-only.
    assetsInlineLimit: 0,
  },
});
