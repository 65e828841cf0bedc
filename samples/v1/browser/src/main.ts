/**
 * The page's script: creates a user and a token with communication-identity, as any browser app
 * would (bundled by esbuild, which picks the package's browser build: fetch and Web Crypto).
 *
 * The emulator's connection string comes from the sample server (emulator.json). That is fine for
 * a local emulator only: never ship a real access key to a browser. In production, a backend you
 * own issues the tokens and the page asks that backend for them.
 */
import { CommunicationIdentityClient } from "communication-identity";

interface EmulatorInfo {
  endpoint: string;
  connectionString: string;
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`The page has no #${id}.`);
  return found as T;
}

function setStatus(text: string, state: "ready" | "busy" | "done" | "error"): void {
  const status = element("status");
  status.textContent = text;
  status.dataset.state = state;
}

/** Enough of a token to recognise it; a whole token is a credential and does not belong on screen. */
function shorten(token: string): string {
  return `${token.slice(0, 24)}… (${token.length} characters)`;
}

async function main(): Promise<void> {
  const info = (await (await fetch("./emulator.json")).json()) as EmulatorInfo;
  element("endpoint").textContent = info.endpoint;
  // The emulator speaks plain http on 127.0.0.1; the key credential needs this opt-in for http.
  const client = new CommunicationIdentityClient(info.connectionString, { allowInsecureConnection: info.endpoint.startsWith("http:") });

  const button = element<HTMLButtonElement>("create");
  button.addEventListener("click", async () => {
    button.disabled = true;
    setStatus("Creating…", "busy");
    try {
      const { user, token, expiresOn } = await client.createUserAndToken(["chat", "voip"]);
      element("user").textContent = user.communicationUserId;
      element("token").textContent = shorten(token);
      element("expires").textContent = expiresOn.toISOString();
      element("result").hidden = false;
      setStatus("Done.", "done");
    } catch (error) {
      setStatus(`Failed: ${error instanceof Error ? error.message : String(error)}`, "error");
    } finally {
      button.disabled = false;
    }
  });
  button.disabled = false;
  setStatus("Ready.", "ready");
}

main().catch((error: unknown) => setStatus(`Could not start: ${error instanceof Error ? error.message : String(error)}`, "error"));
