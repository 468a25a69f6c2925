"""Development tools: what the tests, benchmarks and a developer's machine use, never the
product. `testpki` serves a throwaway PKI (CA, OCSP, CRL, TSA, soft token) on 127.0.0.1;
`csctest` is a local Cloud Signature Consortium service for remote signing's tests.

No stage package imports this package (tests/test_structure.py checks it). The demo
identity that `run` falls back to with a warning is a product feature and stays in
`digitize.signing.demo`."""
