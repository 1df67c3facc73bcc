// The UI component tests: each screen rendered in Debian's Chromium (headless, driven by
// Playwright through vitest's browser mode), with the Rust side faked at the IPC boundary
// (`@tauri-apps/api/mocks`). Playwright downloads no browser here: it launches /usr/bin/chromium.
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";

const chromium = process.env.OUTPOST_CHROMIUM ?? "/usr/bin/chromium";
const shots = process.env.OUTPOST_UI_SHOTS ?? "/tmp/outpost-ui-shots";

export default defineConfig({
  plugins: [svelte()],
  define: { __OUTPOST_UI_SHOTS__: JSON.stringify(shots) },
  // Screenshots for a person to look at are written outside the repo.
  server: { fs: { allow: [".", ...(shots ? [shots] : [])] } },
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    testTimeout: 15_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      viewport: { width: 1280, height: 800 },
      provider: playwright({
        // Room for the 1280×800 frame the screens render in, so screenshots are at full size.
        contextOptions: { viewport: { width: 1300, height: 820 } },
        launchOptions: {
          executablePath: chromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});
