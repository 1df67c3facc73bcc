import { afterEach, describe, expect, test } from "vitest";
import { ipc, type Recorded } from "../src/ipc";
import { ERRORS, card } from "./fake/fixtures";
import { fail, fakeRust } from "./fake/rust";

type Logged = { __outpostIpcLog?: Recorded[] };

afterEach(() => {
  delete (window as Logged).__outpostIpcLog;
});

describe("the IPC record kept for the end-to-end secrets scan", () => {
  test("keeps nothing unless a test asked for it", async () => {
    fakeRust({ list_connections: () => [card()] });
    await ipc.listConnections();
    expect((window as Logged).__outpostIpcLog).toBeUndefined();
  });

  test("keeps every reply and every error once asked, as JSON text, and still answers", async () => {
    fakeRust({ list_connections: () => [card()], test_saved: () => fail(ERRORS.InvalidKey) });
    const log: Recorded[] = [];
    (window as Logged).__outpostIpcLog = log;
    const cards = await ipc.listConnections();
    expect(cards).toHaveLength(1);
    await expect(ipc.testSaved("cs-1")).rejects.toMatchObject({ kind: "InvalidKey" });
    expect(log.map((e) => [e.name, e.ok])).toEqual([
      ["list_connections", true],
      ["test_saved", false],
    ]);
    expect(JSON.parse(log[0].text)).toEqual(cards);
    expect(log[1].text).toContain("InvalidKey");
    expect(log.every((e) => e.at >= e.sentAt)).toBe(true);
  });
});
