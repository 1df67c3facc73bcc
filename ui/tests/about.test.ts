import { describe, expect, test } from "vitest";
import { render } from "vitest-browser-svelte";
import App from "../src/App.svelte";
import { ERRORS, build } from "./fake/fixtures";
import { fail, fakeRust } from "./fake/rust";
import { shot } from "./support";

describe("About", () => {
  test("names the version and the commit it was built from", async () => {
    fakeRust({ about: () => build });
    const screen = await render(App);
    await screen.getByTestId("nav-about").click();
    await expect.element(screen.getByTestId("about-version")).toHaveTextContent(build.version);
    await expect.element(screen.getByTestId("about-commit")).toHaveTextContent(`commit ${build.commit}`);
    await shot("about");
  });

  test("says what went wrong when the build cannot be read", async () => {
    fakeRust({ about: () => fail(ERRORS.Internal) });
    const screen = await render(App);
    await screen.getByTestId("nav-about").click();
    await expect.element(screen.getByTestId("error-note")).toHaveTextContent(ERRORS.Internal.message);
  });
});
