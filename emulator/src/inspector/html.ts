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
  <section id="requests-section" aria-labelledby="requests-title">
    <h2 id="requests-title">Recent requests <span class="count" id="requests-count"></span></h2>
    <p class="hint">Newest first. For every refused request, why: for a signature that does not match, the string-to-sign the emulator computed, the part that differed where it can tell, and the clock skew (never a key or a signature).</p>
    <table id="requests">
      <thead><tr><th>#</th><th>Time (UTC)</th><th>Method</th><th>Path</th><th>api-version</th><th>Status</th><th>Why</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="identities-section" aria-labelledby="identities-title">
    <h2 id="identities-title">Identities <span class="count" id="identities-count"></span></h2>
    <table id="identities">
      <thead><tr><th>Id</th><th>customId</th><th>Created</th><th>Tokens issued</th><th>Last token issued</th><th>Tokens revoked</th><th>State</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="assignments-section" aria-labelledby="assignments-title">
    <h2 id="assignments-title">Access assignments <span class="count" id="assignments-count"></span></h2>
    <table id="assignments">
      <thead><tr><th>Kind</th><th>Tenant</th><th>Object id</th><th>Principal type</th><th>Client ids</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="faults-section" aria-labelledby="faults-title">
    <h2 id="faults-title">Pending faults <span class="count" id="faults-count"></span></h2>
    <table id="faults">
      <thead><tr><th>Method</th><th>Path</th><th>Times left</th><th>Fault</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
<footer><p>Served by the emulator itself, offline. The same data as JSON: <code>GET /_emulator/requests</code>, <code>/_emulator/identities</code>, <code>/_emulator/assignments</code>, <code>/_emulator/faults</code>.</p></footer>
</body>
</html>
`;
