// Starts the GOV.UK Frontend components (error summary, service navigation menu,
// skip link and so on) on every page.
//
// GOV.UK Frontend is imported from the URL that base.html puts in the script tag's
// data-govuk-frontend-src attribute, i.e. whatever {% static %} resolved, which is
// the hashed, long-cached name under ManifestStaticFilesStorage. A static
// `import { initAll } from "../govuk-frontend/govuk-frontend.min.js"` would skip the
// manifest: Django rewrites import statements only in *.js files and only when
// support_js_module_import_aggregation is on, so browsers would fetch the unhashed
// copy instead (short-cached, and missing if only hashed files are kept).
//
// base.html's inline snippet adds govuk-frontend-supported to <body> only in
// browsers that support ES modules; without it (or on the 500 page, which has no
// CSP nonce for that snippet) the page stays in its no-JavaScript form.
const script = document.querySelector("script[data-govuk-frontend-src]");

if (script && document.body.classList.contains("govuk-frontend-supported")) {
  import(script.dataset.govukFrontendSrc).then(({ initAll }) => initAll());
}
