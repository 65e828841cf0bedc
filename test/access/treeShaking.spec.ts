/** The access client is its own module without side effects: an identity-only browser app does not carry it. */
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumerApp, type ConsumerApp } from "../browser-bundle/consumerApp.js";
import { ensureBuilt } from "../helpers/ensureBuilt.js";

const ACCESS_MARKERS = ["CommunicationAccess", "teamsExtension", "merge-patch", "/access/entra", "continuationToken"];
const accessApp = `import { CommunicationAccessClient } from "communication-identity";
const access = new CommunicationAccessClient("endpoint=https://contoso.communication.azure.com/;accesskey=a2V5");
access.deleteEntraAssignment("350adb03-7be9-4846-b078-35adb0d0e119").then(console.log);
`;

let identityOnly: ConsumerApp;
let withAccess: ConsumerApp;
beforeAll(() => {
  ensureBuilt();
  identityOnly = createConsumerApp();
  withAccess = createConsumerApp(accessApp);
}, 60_000);
afterAll(() => {
  identityOnly?.remove();
  withAccess?.remove();
});

async function bundle(app: ConsumerApp): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [app.entry],
    absWorkingDir: app.dir,
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

describe("browser bundle", () => {
  it("of an app importing only CommunicationIdentityClient holds none of the access client", async () => {
    const code = await bundle(identityOnly);
    expect(ACCESS_MARKERS.filter((marker) => code.includes(marker))).toEqual([]);
  });

  it("of an app importing CommunicationAccessClient holds it (the markers above are real)", async () => {
    const code = await bundle(withAccess);
    expect(ACCESS_MARKERS.filter((marker) => code.includes(marker))).toEqual(ACCESS_MARKERS);
  });
});
