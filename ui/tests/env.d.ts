/// <reference types="@vitest/browser-playwright" />
/** Where the screen tests save screenshots; empty for none (vitest.config.ts). */
declare const __OUTPOST_UI_SHOTS__: string;
