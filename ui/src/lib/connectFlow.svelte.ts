// The Test Connection → Save flow both connect forms share: Save is allowed only after a passing
// test of exactly the values shown, and every failure becomes an error note.
import type { ConnectInput, ConnectionCard, ErrorPayload, TestReport } from "../bindings";
import { asError, ipc } from "../ipc";

type Step = "demo" | "test" | "save";

export class ConnectFlow {
  busy = $state<"" | Step>("");
  report = $state<TestReport | null>(null);
  testedSignature = $state("");
  error = $state<ErrorPayload | null>(null);
  /** The step whose failure `error` is: a failed test belongs to the values it tested. */
  failed = $state<"" | Step>("");

  /** Whether the last test's outcome (report or error) is about these values; a change clears it. */
  current(signature: string): boolean {
    return this.testedSignature === signature;
  }

  canSave(signature: string, valid: boolean): boolean {
    return this.report?.ok === true && this.testedSignature === signature && valid && this.busy === "";
  }

  /** Runs one step, marked busy meanwhile; a failure is shown, never thrown. */
  async step(what: Step, f: () => Promise<void>) {
    this.busy = what;
    this.error = null;
    this.failed = "";
    try {
      await f();
    } catch (e) {
      if (what === "test") this.report = null;
      this.error = asError(e);
      this.failed = what;
    } finally {
      this.busy = "";
    }
  }

  /** Fills the form from the built-in demo org. */
  demo(fill: (demo: Awaited<ReturnType<typeof ipc.startDemo>>) => void) {
    return this.step("demo", async () => {
      fill(await ipc.startDemo());
      this.report = null;
    });
  }

  test(input: ConnectInput, signature: string) {
    this.testedSignature = signature;
    return this.step("test", async () => {
      this.report = await ipc.testConnection(input);
    });
  }

  save(input: ConnectInput, onSaved: (card: ConnectionCard) => void) {
    return this.step("save", async () => onSaved(await ipc.saveConnection(input)));
  }
}
