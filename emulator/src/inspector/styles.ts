/** The inspector page's stylesheet (served at `GET /_emulator/inspector.css`). */
export const inspectorCss = `:root { color-scheme: light dark; --muted: #666; --bad: #b00020; --good: #1b5e20; --warn: #8a5a00; --line: #ccc; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 0 1.5rem 2rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.3rem; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 0.3rem; }
.count { color: var(--muted); font-weight: normal; }
.hint, footer, #clock { color: var(--muted); }
#status[data-state="error"] { color: var(--bad); }
#status[data-state="live"] { color: var(--good); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; white-space: nowrap; }
td.id, td.path, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
td.id, td.path { word-break: break-all; }
td.path { min-width: 18rem; }
td.time, td.status { white-space: nowrap; }
tr.refused td.status { color: var(--bad); font-weight: 600; }
tr.failed td.status { color: var(--warn); font-weight: 600; }
tr.deleted { color: var(--muted); }
.why p { margin: 0 0 0.25rem; }
.why dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.75rem; margin: 0; }
.why dt { color: var(--muted); }
.why dd { margin: 0; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; background: rgba(127, 127, 127, 0.12); padding: 0.25rem 0.4rem; }
.empty td { color: var(--muted); font-style: italic; }
`;
