// Each test starts as the app does: its stylesheet and locale fix loaded, at 1280×800.
import { beforeEach } from "vitest";
import { page } from "vitest/browser";
import "../src/locale";
import "../src/app.css";

beforeEach(async () => {
  await page.viewport(1280, 800);
});
