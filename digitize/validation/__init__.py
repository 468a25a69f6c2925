"""Validation stage: verifying signed PDFs (verify), the change policy between revisions
(diffpolicy), the visual check (visual), the trust store and the built-in Vietnamese anchors
(trust, trust_vn/), guarded fetching of revocation data and timestamps (fetch), the HTML report
(html_report) and the parsing shortcuts verification uses (fasthex, fastnames, objstm).

It sits below the signing stage (signing checks its own output with it, renewal revalidates)
and imports no stage package above it; identities and certificate loading are in the lower
layer (`digitize.identity`)."""

from digitize.validation import deferred

deferred.install()
