"""Steps that several tracks share, each written once: the dependency image
(`dependencies`), a service on an internal network with its readiness, log and stop
(`service`), the static prelude of code-quality checks (`static`), the candidate's own tests
(`own_tests`) and the cache of seeded challenge data (`seeded`)."""
