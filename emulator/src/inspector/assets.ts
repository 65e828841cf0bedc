/** The inspector's files, as the control API serves them (kept in code so both builds carry them, no asset copying). */
import { inspectorHtml } from "./html.js";
import { inspectorJs } from "./script.js";
import { inspectorCss } from "./styles.js";

export interface InspectorAsset {
  path: string;
  contentType: string;
  text: string;
}

export const inspectorAssets: readonly InspectorAsset[] = [
  { path: "/_emulator/", contentType: "text/html; charset=utf-8", text: inspectorHtml },
  { path: "/_emulator/inspector.css", contentType: "text/css; charset=utf-8", text: inspectorCss },
  { path: "/_emulator/inspector.js", contentType: "text/javascript; charset=utf-8", text: inspectorJs },
];
