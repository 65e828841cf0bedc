/** One of the page's tables: `#<id>`, headed by `title` and a live count (`#<id>-count`), with an optional hint. */
function tableSection(id: string, title: string, columns: readonly string[], hint?: string): string {
  return `  <section id="${id}-section" aria-labelledby="${id}-title">
    <h2 id="${id}-title">${title} <span class="count" id="${id}-count"></span></h2>
${hint === undefined ? "" : `    <p class="hint">${hint}</p>\n`}    <table id="${id}">
      <thead><tr>${columns.map((column) => `<th>${column}</th>`).join("")}</tr></thead>
      <tbody></tbody>
    </table>
  </section>`;
}

/** The inspector page's markup (served at `GET /_emulator/`); data comes from the control API, rendered by script.ts. */
export const inspectorHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Communication Identity emulator</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_emulator/inspector.css">
<script src="/_emulator/inspector.js" defer></script>
</head>
<body>
<header>
  <h1>Communication Identity emulator</h1>
  <p id="status" data-state="loading" role="status">Loading…</p>
  <p id="clock"></p>
</header>
<main>
${tableSection("requests", "Recent requests", ["#", "Time (UTC)", "Method", "Path", "api-version", "Status", "Why"], "Newest first. For every refused request, why: for a signature that does not match, the string-to-sign the emulator computed, the part that differed where it can tell, and the clock skew (never a key or a signature).")}
${tableSection("identities", "Identities", ["Id", "customId", "Created", "Tokens issued", "Last token issued", "Tokens revoked", "State"])}
${tableSection("assignments", "Access assignments", ["Kind", "Tenant", "Object id", "Principal type", "Client ids"])}
${tableSection("faults", "Pending faults", ["Method", "Path", "Times left", "Fault"])}
</main>
<footer><p>Served by the emulator itself, offline. The same data as JSON: <code>GET /_emulator/requests</code>, <code>/_emulator/identities</code>, <code>/_emulator/assignments</code>, <code>/_emulator/faults</code>.</p></footer>
</body>
</html>
`;
